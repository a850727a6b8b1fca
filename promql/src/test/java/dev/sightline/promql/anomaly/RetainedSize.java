package dev.sightline.promql.anomaly;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An estimate of the heap an object graph holds, without JOL: arrays by their length (16-byte header), Sightline's
 * objects by their fields (12-byte header, 4-byte references, 8-byte alignment, as a compressed-oops HotSpot lays
 * them out), JDK collections by their elements plus an estimate of their own overhead; other JDK objects (boxes,
 * strings) at 24 bytes and not followed. Static fields and enums are not counted.
 */
final class RetainedSize {
    private RetainedSize() {
    }

    static long of(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        long bytes = 0;
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (o == null || o instanceof Enum<?> || !seen.add(o)) {
                continue;
            }
            Class<?> c = o.getClass();
            if (c.isArray()) {
                Class<?> e = c.getComponentType();
                int n = Array.getLength(o);
                bytes += align(16 + (long) n * width(e));
                if (!e.isPrimitive()) {
                    for (int i = 0; i < n; i++) {
                        push(todo, Array.get(o, i));
                    }
                }
            } else if (c.getName().startsWith("dev.sightline.")) {
                long shallow = 12;
                for (Class<?> k = c; k != Object.class; k = k.getSuperclass()) {
                    for (Field f : k.getDeclaredFields()) {
                        if (Modifier.isStatic(f.getModifiers())) {
                            continue;
                        }
                        shallow += width(f.getType());
                        if (!f.getType().isPrimitive()) {
                            f.setAccessible(true);
                            try {
                                push(todo, f.get(o));
                            } catch (IllegalAccessException ex) {
                                throw new IllegalStateException(ex);
                            }
                        }
                    }
                }
                bytes += align(shallow);
            } else if (o instanceof Collection<?> col) {
                bytes += 24 + align(16 + 4L * col.size());
                col.forEach(x -> push(todo, x));
            } else if (o instanceof Map<?, ?> m) {
                bytes += 48 + align(16 + 4L * m.size()) + 32L * m.size();
                for (Map.Entry<?, ?> en : m.entrySet()) {
                    push(todo, en.getKey());
                    push(todo, en.getValue());
                }
            } else {
                bytes += 24;
            }
        }
        return bytes;
    }

    private static void push(ArrayDeque<Object> todo, Object o) {
        if (o != null) {
            todo.push(o);
        }
    }

    private static long width(Class<?> t) {
        if (t == long.class || t == double.class) {
            return 8;
        }
        if (t == int.class || t == float.class) {
            return 4;
        }
        if (t == short.class || t == char.class) {
            return 2;
        }
        if (t == byte.class || t == boolean.class) {
            return 1;
        }
        return 4;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
