package dev.sightline.server;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** hash-password and new-token make what the web config file takes. */
class SecurityCommandsTest {
    private final InputStream stdin = System.in;

    @AfterEach
    void restore() {
        System.setIn(stdin);
    }

    @Test
    void hashPasswordPrintsABcryptHashOfStandardInput() {
        System.setIn(new ByteArrayInputStream("s3cret pw\n".getBytes(StandardCharsets.UTF_8)));
        CliRun r = CliRun.run("hash-password", "--stdin", "--cost", "5");
        assertThat(r.exit()).as(r.err()).isZero();
        String hash = r.out().strip();
        assertThat(hash).startsWith("$2y$05$").hasSize(60);
        assertThat(OpenBSDBCrypt.checkPassword(hash, "s3cret pw".toCharArray())).isTrue();
        assertThat(OpenBSDBCrypt.checkPassword(hash, "s3cret".toCharArray())).isFalse();
    }

    @Test
    void hashPasswordRefusesABadCostAndNoPassword() {
        assertThat(CliRun.run("hash-password", "--cost", "3").err()).contains("--cost must be between 4 and 31, got 3");
        System.setIn(new ByteArrayInputStream(new byte[0]));
        CliRun r = CliRun.run("hash-password", "--stdin");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no password given");
    }

    @Test
    void newTokenPrintsATokenAndItsSha256() throws Exception {
        CliRun r = CliRun.run("new-token");
        assertThat(r.exit()).isZero();
        String[] lines = r.out().strip().split("\n");
        String token = lines[0].substring("token:  ".length());
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(lines[1]).isEqualTo("sha256: " + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8))));
        assertThat(CliRun.run("new-token").out()).isNotEqualTo(r.out());
    }
}
