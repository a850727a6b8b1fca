package dev.sightline.server.traceapi;

import dev.sightline.server.traceapi.TraceParams.BadRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The logfmt of Tempo's {@code tags} search parameter, as go-logfmt decodes it: {@code key=value} pairs separated by
 * spaces, a value with spaces in double quotes (with {@code \"} and {@code \\} escapes), a bare key meaning an
 * empty value.
 */
final class Logfmt {
    private Logfmt() {
    }

    /** The pairs in order, each {@code {key, value}}; 400 naming {@code param} and the offset on bad input. */
    static List<String[]> parse(String param, String text) {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (text.charAt(i) == ' ' || text.charAt(i) == '\t') {
                i++;
                continue;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                if (text.charAt(i) == '"') {
                    throw BadRequest.param(param, "logfmt: unexpected '\"' in a key at offset " + i);
                }
                i++;
            }
            String key = text.substring(keyStart, i);
            if (key.isEmpty()) {
                throw BadRequest.param(param, "logfmt: a key is missing before '=' at offset " + i);
            }
            if (i == n || text.charAt(i) != '=') {
                out.add(new String[]{key, ""});
                continue;
            }
            i++; // '='
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                int open = i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n) {
                        char e = text.charAt(i++);
                        value.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw BadRequest.param(param, "logfmt: unterminated quoted value starting at offset " + open);
                }
                if (i < n && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                    throw BadRequest.param(param, "logfmt: expected a space after the quoted value at offset " + i);
                }
            } else {
                while (i < n && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                    if (text.charAt(i) == '"' || text.charAt(i) == '=') {
                        throw BadRequest.param(param, "logfmt: unexpected '" + text.charAt(i)
                                + "' in a value at offset " + i + "; quote values holding it");
                    }
                    value.append(text.charAt(i++));
                }
            }
            out.add(new String[]{key, value.toString()});
        }
        return out;
    }
}
