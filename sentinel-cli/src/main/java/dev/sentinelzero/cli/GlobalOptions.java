package dev.sentinelzero.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --home} and {@code --json}, mixed into every command. They may be given before or after
 * the command name ({@code sentinel --json status} and {@code sentinel status --json}): each
 * command has its own copy, and the accessors fall back to the copies of the enclosing commands.
 */
final class GlobalOptions {
  /** The name picocli registers this mixin under (the field name in the commands). */
  static final String MIXIN_NAME = "global";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "The daemon's home directory (default: $SENTINEL_HOME, else ~/.local/state/sentinel).")
  String home;

  @Option(names = "--json", description = "Print JSON on stdout instead of text.")
  boolean json;

  /** {@code --home} as given on this command or an enclosing one, or null. */
  String home() {
    for (CommandSpec spec = mixee; spec != null; spec = spec.parent()) {
      GlobalOptions options = of(spec);
      if (options != null && options.home != null) {
        return options.home;
      }
    }
    return null;
  }

  /** Whether {@code --json} was given on this command or an enclosing one. */
  boolean json() {
    for (CommandSpec spec = mixee; spec != null; spec = spec.parent()) {
      GlobalOptions options = of(spec);
      if (options != null && options.json) {
        return true;
      }
    }
    return false;
  }

  private static GlobalOptions of(CommandSpec spec) {
    CommandSpec mixin = spec.mixins().get(MIXIN_NAME);
    return mixin == null ? null : (GlobalOptions) mixin.userObject();
  }
}
