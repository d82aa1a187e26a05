package dev.tollgate.engine.internal.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the links and addresses of an action carry and where they point. */
class InspectionUrlTest {
  @Test
  void base64TextInAUrlsPathOrQueryIsRead() {
    String summary = "Northwind asks 18% off, our floor is 15%";
    String encoded =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(summary.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(Links.encodedText("https://unfurl.example/c/" + encoded)).isEqualTo(summary);
    assertThat(Links.encodedText("https://x.example/r?d=" + encoded + "&v=2")).isEqualTo(summary);
    // a document id, a hash, a short token: not text anyone encoded
    assertThat(
            Links.encodedText(
                "https://docs.example/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/view"))
        .isNull();
    assertThat(Links.encodedText("https://x.example/QuarterlyReportFinal2026")).isNull();
    assertThat(Links.encodedText("https://x.example/a?b=c2VjcmV0")).isNull();
    assertThat(Links.encodedText("https://x.example")).isNull();
  }

  @Test
  void domainsAreTheHostsOfLinksAndTheDomainsOfAddresses() {
    List<String> out = new ArrayList<>();
    Links.domains(
        Map.of(
            "to",
            List.of("Helpdesk@ACME-IT-support.example", "bob@acme.example"),
            "body",
            "Re-enroll at https://acme-keys.example-enroll.net/start. or at https://acme.example,"
                + " not @mentions or a@ alone; again https://acme-keys.example-enroll.net"),
        out,
        0);
    assertThat(out)
        .containsExactlyInAnyOrder(
            "acme-it-support.example", "acme.example", "acme-keys.example-enroll.net");
  }
}
