package dev.sentinelzero.cli;

/** The {@code sentinel} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(SentinelCommand.commandLine(args, Context.system()).execute(args));
  }
}
