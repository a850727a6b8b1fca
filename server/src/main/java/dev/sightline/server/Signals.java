package dev.sightline.server;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal handlers (SIGTERM, SIGINT, SIGHUP), which the JDK offers only as {@code sun.misc.Signal} in the
 * jdk.unsupported module (a critical API kept on purpose, JEP 260). It is looked up at run time because javac warns
 * about every compile-time use as "internal proprietary API", a warning no {@code @SuppressWarnings} silences and
 * the build's {@code -Werror} would refuse.
 */
public final class Signals {
    private Signals() {
    }

    /** Runs {@code action} on the signal's dispatch thread each time the process gets signal {@code name} ("HUP"). */
    public static void handle(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Object h = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> dispatch(proxy, method, args, name, action));
            signal.getMethod("handle", signal, handler).invoke(null, sig, h);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
        }
    }

    private static Object dispatch(Object proxy, Method method, Object[] args, String name, Runnable action) {
        return switch (method.getName()) {
            case "handle" -> {
                action.run();
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "SIG" + name + " handler";
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }
}
