package dev.sightline.alerting;

import java.io.IOException;

/** Integrations for tests: named "webhook", doing what the test says with each notification. */
final class TestIntegrations {
    private TestIntegrations() {
    }

    /** What a test integration does with a notification. */
    interface Send {
        void send(Notification n) throws IOException;
    }

    static Integration of(boolean sendResolved, Send send) {
        return new Integration() {
            @Override
            public String name() {
                return "webhook";
            }

            @Override
            public boolean sendResolved() {
                return sendResolved;
            }

            @Override
            public void send(Notification n) throws IOException {
                send.send(n);
            }
        };
    }
}
