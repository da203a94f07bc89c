package dev.sentinelzero.daemon.process;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The descriptor number behind one of the JDK's socket channels, for the socket options the JDK
 * does not offer (the client's pid: {@code SO_PEERCRED} gives the JDK only its user and group).
 *
 * <p>The JDK has no public way to it. Its socket channels implement {@code
 * sun.nio.ch.SelChImpl}, a public interface whose public {@code getFDVal()} returns the number;
 * calling it needs only the package to be exported to us (not opened: no private member is
 * touched), so the daemon's JVM is started with {@value #EXPORT} (DaemonLauncher, bin/sentinel).
 * Without that flag, or on a JDK whose channels differ, {@link #of} returns -1 and the reason is
 * logged once, at debug level: the daemon works as before, only without the pid.
 *
 * <p>The number is only good while the channel is open: the caller must own the channel, so that
 * no other thread can close it (and the number be reused) meanwhile.
 *
 * <p>Stateless apart from the method found once at class initialisation and the logged-once flag:
 * any thread may call it.
 */
final class ChannelFds {
  /** The JVM option that lets {@link #of} work. */
  static final String EXPORT = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

  private static final Logger log = LoggerFactory.getLogger(ChannelFds.class);
  private static final AtomicBoolean told = new AtomicBoolean();
  private static final Method GET_FD_VAL = find();

  private ChannelFds() {}

  /** The channel's descriptor, or -1 when it cannot be read. */
  static int of(Channel channel) {
    if (GET_FD_VAL == null) {
      return -1;
    }
    if (!GET_FD_VAL.getDeclaringClass().isInstance(channel)) {
      tellOnce("a " + channel.getClass().getName() + " is not one of the JDK's sun.nio.ch channels");
      return -1;
    }
    try {
      return (Integer) GET_FD_VAL.invoke(channel);
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      tellOnce("sun.nio.ch.SelChImpl.getFDVal() failed: " + e);
      return -1;
    }
  }

  private static Method find() {
    try {
      Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
      if (!selectable.getModule().isExported("sun.nio.ch", ChannelFds.class.getModule())) {
        tellOnce("java.base does not export sun.nio.ch to the daemon; start its JVM with " + EXPORT);
        return null;
      }
      return selectable.getMethod("getFDVal");
    } catch (ReflectiveOperationException | RuntimeException e) {
      tellOnce("this JDK has no sun.nio.ch.SelChImpl.getFDVal() (" + e + ")");
      return null;
    }
  }

  private static void tellOnce(String why) {
    if (told.compareAndSet(false, true)) {
      log.debug("the clients' pids are not recorded in the transaction log: {}", why);
    }
  }
}
