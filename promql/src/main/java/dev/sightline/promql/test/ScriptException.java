package dev.sightline.promql.test;

/** A script command that is malformed or could not be carried out; the message says why. */
final class ScriptException extends Exception {
    ScriptException(String msg) {
        super(msg);
    }
}
