package dev.sentinelzero.protocol;

import java.util.List;

/** The command names of the protocol. docs/protocol.md documents each one's arguments and result. */
public final class Commands {
  public static final String PING = "ping";
  public static final String DAEMON_STATUS = "daemon.status";
  public static final String DAEMON_STOP = "daemon.stop";
  public static final String START = "start";
  public static final String STOP = "stop";
  public static final String RESTART = "restart";
  public static final String REMOVE = "remove";
  public static final String LIST = "list";
  public static final String STATUS = "status";
  public static final String LOGS = "logs";
  public static final String RESTART_POLICY = "restart-policy";
  public static final String EVENTS = "events";
  public static final String HEALTH = "health";
  public static final String LIMITS = "limits";
  public static final String SCHEDULE = "schedule";
  public static final String SCHEDULE_LIST = "schedule.list";
  public static final String SCHEDULE_ENABLE = "schedule.enable";
  public static final String SCHEDULE_DISABLE = "schedule.disable";
  public static final String SCHEDULE_REMOVE = "schedule.remove";
  public static final String SCHEDULE_RUN = "schedule.run";
  public static final String UPCOMING = "upcoming";
  public static final String HISTORY = "history";

  public static final List<String> ALL =
      List.of(
          PING, DAEMON_STATUS, DAEMON_STOP, START, STOP, RESTART, REMOVE, LIST, STATUS, LOGS,
          RESTART_POLICY, EVENTS, HEALTH, LIMITS, SCHEDULE, SCHEDULE_LIST, SCHEDULE_ENABLE,
          SCHEDULE_DISABLE, SCHEDULE_REMOVE, SCHEDULE_RUN, UPCOMING, HISTORY);

  private Commands() {}
}
