package dev.cinnabar.server.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/compatibility.md must be what the command table says. Regenerate with
 * {@code ./mvnw -B -q -pl server -am test -Dtest=CompatibilityDocTest -Dcinnabar.updateDocs=true}.
 */
class CompatibilityDocTest {
    @Test
    void committedTableMatchesTheCommandTable() throws Exception {
        Path doc = Path.of("..", "docs", "compatibility.md");
        String expected = CompatibilityReport.generate();
        if (Boolean.getBoolean("cinnabar.updateDocs")) {
            Files.writeString(doc, expected);
        }
        assertThat(Files.exists(doc)).as("docs/compatibility.md exists").isTrue();
        assertThat(Files.readString(doc)).isEqualTo(expected);
    }
}
