package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.sql.SQLException;

import static dev.sightline.synthetics.canary.CanaryException.Reason.ERROR;
import static dev.sightline.synthetics.canary.CanaryException.Reason.NO_VALUE;
import static dev.sightline.synthetics.canary.CanaryException.Reason.TIMEOUT;
import static dev.sightline.synthetics.canary.CanaryException.Reason.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;

class CanaryExceptionTest {
    @Test
    void classifiesTheClientsFailures() {
        // The HTTP client's request timeout running out while connecting is a timeout, though it wraps a ConnectException.
        HttpConnectTimeoutException connectTimeout = new HttpConnectTimeoutException("HTTP connect timed out");
        connectTimeout.initCause(new ConnectException("HTTP connect timed out"));
        assertThat(CanaryException.classify(connectTimeout)).isEqualTo(TIMEOUT);
        assertThat(CanaryException.classify(new IOException("wrapped", new SocketTimeoutException("Read timed out")))).isEqualTo(TIMEOUT);
        assertThat(CanaryException.classify(new ConnectException("Connection refused"))).isEqualTo(UNREACHABLE);
        assertThat(CanaryException.classify(new UnknownHostException("cache-eu"))).isEqualTo(UNREACHABLE);
        assertThat(CanaryException.classify(new SQLException("connection attempt failed", "08001"))).isEqualTo(UNREACHABLE);
        assertThat(CanaryException.classify(new SQLException("canceling statement due to user request", "57014"))).isEqualTo(TIMEOUT);
        assertThat(CanaryException.classify(new SQLException("relation does not exist", "42P01"))).isEqualTo(NO_VALUE);
        assertThat(CanaryException.classify(new SQLException("permission denied", "42501"))).isEqualTo(ERROR);
        assertThat(CanaryException.classify(new CanaryException(CanaryException.Reason.BAD_STATUS, "HTTP 503")))
                .isEqualTo(CanaryException.Reason.BAD_STATUS);
    }

    @Test
    void describesInOneLine() {
        assertThat(CanaryException.describe(new IOException(null, new ConnectException("Connection refused\nmore"))))
                .isEqualTo("ConnectException: Connection refused");
        assertThat(CanaryException.describe(new CanaryException(NO_VALUE, "nothing stored"))).isEqualTo("nothing stored");
    }
}
