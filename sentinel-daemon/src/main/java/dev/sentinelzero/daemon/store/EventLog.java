package dev.sentinelzero.daemon.store;

import dev.sentinelzero.protocol.EventRecord;
import dev.sentinelzero.protocol.Json;
import dev.sentinelzero.protocol.ProtocolException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads the transaction log through a connection of its own (WAL lets it read while the
 * supervisor writes), for one {@code events} request. Owned by that request's connection thread.
 */
public final class EventLog implements AutoCloseable {
  private final Connection connection;

  private EventLog(Connection connection) {
    this.connection = connection;
  }

  public static EventLog open(Path file) {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 5000");
        st.execute("PRAGMA query_only = 1");
      }
      return new EventLog(c);
    } catch (SQLException e) {
      throw new StoreException("cannot read the event log: " + e.getMessage(), e);
    }
  }

  /**
   * The newest {@code limit} events after {@code afterId}, for {@code name} (all when null), at or
   * after {@code since} (any time when null), oldest first.
   */
  public List<EventRecord> query(String name, Instant since, long afterId, int limit) {
    StringBuilder sql = new StringBuilder("SELECT id, at, name, kind, message, data FROM events WHERE id > ?");
    if (name != null) {
      sql.append(" AND name = ?");
    }
    if (since != null) {
      sql.append(" AND at_ms >= ?");
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    try (PreparedStatement st = connection.prepareStatement(sql.toString())) {
      int i = 1;
      st.setLong(i++, afterId);
      if (name != null) {
        st.setString(i++, name);
      }
      if (since != null) {
        st.setLong(i++, since.toEpochMilli());
      }
      st.setInt(i, limit);
      List<EventRecord> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> data;
          try {
            data = Json.parseObject(rs.getString(6));
          } catch (ProtocolException e) {
            data = Map.of();
          }
          out.add(
              new EventRecord(
                  rs.getLong(1), Instant.parse(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5), data));
        }
      }
      Collections.reverse(out);
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read the event log: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
