package dev.sightline.alerting;

import java.io.IOException;

/** One notifier of a receiver (one entry of its webhook_configs). */
public interface Integration {
    /** The integration kind, as Alertmanager names it ("webhook"). */
    String name();

    /** Whether resolved alerts are sent (send_resolved). */
    boolean sendResolved();

    /** Delivers one notification, retrying as the integration sees fit; throws when it finally failed. */
    void send(Notification n) throws IOException, InterruptedException;
}
