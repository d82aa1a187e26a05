package dev.tollgate.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * End to end in a real headless Chromium: an agent is asked, a person approves with a scope in the
 * console, the agent's retries pass until the scope's uses run out; an admin revokes a grant and
 * adds a person, who changes their password; an admin pauses an agent; an admin reads what a tool's
 * changed definition changes and accepts it. Needs Debian's {@code chromium} and {@code
 * chromium-driver}; without them the test fails and says so.
 */
class ConsoleBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path data;
  private ConsoleHarness h;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER))
        .as(
            "the browser test needs Chromium and its driver: install them with"
                + " `apt-get install -y chromium chromium-driver` (%s, %s)",
            CHROMIUM, DRIVER)
        .isTrue();
    System.setProperty("SE_OFFLINE", "true");
    h = new ConsoleHarness(StoreConfig.sqlite(data));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SHOTS);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (h != null) {
      h.close();
    }
  }

  private void shot(String name) throws Exception {
    Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aPersonApprovesWithAScopeAndTheAgentPassesUntilItsUsesRunOut() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    String base = h.server.uri().toString();
    browser.get(base + "/console/approvals");
    wait.until(ExpectedConditions.urlContains("/console/login"));
    browser.findElement(By.id("name")).sendKeys("approver-1");
    browser.findElement(By.id("password")).sendKeys(ConsoleHarness.PASSWORD);
    shot("01-sign-in");
    browser.findElement(By.id("sign-in")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/approvals"));
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-live", "on"));
    assertThat(browser.findElement(By.id("inbox")).getText()).contains("Nothing is waiting");

    // The agent is asked while the person looks at the inbox: the row arrives live.
    String session = h.session();
    JsonNode asked = h.askToMail(session, "Invoice #4471 <script>alert(1)</script> is overdue");
    assertThat(asked.path("effect").asText()).isEqualTo("ask");
    String approval = asked.path("approval").path("id").asText();
    By row = By.cssSelector("#inbox tr[data-id='" + approval + "']");
    wait.until(ExpectedConditions.presenceOfElementLocated(row));
    assertThat(browser.findElement(row).getText()).contains("email.send", "invoice-bot");
    shot("02-inbox-live");

    browser.findElement(row).findElement(By.tagName("a")).click();
    wait.until(ExpectedConditions.urlContains("/console/approvals/" + approval));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("pending");
    assertThat(browser.getPageSource()).doesNotContain("<script>alert(1)");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .contains("<script>alert(1)</script>", "external-send-with-invoice-details");
    new Select(browser.findElement(By.id("subject"))).selectByValue("session");
    set(browser.findElement(By.id("tool")), "email.send");
    set(browser.findElement(By.id("ttl")), "15m");
    set(browser.findElement(By.id("uses")), "2");
    shot("03-approval");
    browser.findElement(By.id("approve-scope")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("done")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("approved");
    shot("04-approved");

    // The retry passes through the grant; so does another mail in the session (use 2 of 2).
    JsonNode retried = h.askToMail(session, "Invoice #4471 <script>alert(1)</script> is overdue");
    assertThat(retried.path("effect").asText()).as(retried.toString()).isEqualTo("allow");
    String grant = retried.path("grant").asText();
    assertThat(grant).startsWith("grt_");
    JsonNode second = h.askToMail(session, "Invoice #4472 is overdue as well");
    assertThat(second.path("effect").asText()).as(second.toString()).isEqualTo("allow");
    assertThat(second.path("grant").asText()).isEqualTo(grant);

    // Past the scope: the uses have run out, so a person is asked again.
    JsonNode third = h.askToMail(session, "Invoice #4473 is overdue");
    assertThat(third.path("effect").asText()).as(third.toString()).isEqualTo("ask");
    // Another session is outside the scope from the start.
    JsonNode elsewhere = h.askToMail(h.session(), "Invoice #4471 is overdue");
    assertThat(elsewhere.path("effect").asText()).isEqualTo("ask");

    browser.get(base + "/console/grants");
    assertThat(browser.findElement(By.id("recent-grants")).getText())
        .contains(grant, "session " + session, "email.send", "used");
    shot("05-grants");
  }

  @Test
  void anAdminRevokesAGrantAndAddsAPersonWhoChangesTheirPassword() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    String base = h.server.uri().toString();
    String session = h.session();
    String approval =
        h.askToMail(session, "Invoice #4471 is overdue").path("approval").path("id").asText();
    h.server
        .engine()
        .approvals()
        .approve(
            approval,
            "approver-1",
            new Approvals.Scope(
                GrantRecord.SubjectKind.SESSION, "email.send", Duration.ofMinutes(15), 0, null),
            null);
    String grant = h.askToMail(session, "Invoice #4471 is overdue").path("grant").asText();
    assertThat(grant).startsWith("grt_");

    signIn(wait, base, "admin-1", ConsoleHarness.PASSWORD);
    browser.get(base + "/console/grants");
    WebElement live = browser.findElement(By.id("live-grants"));
    assertThat(live.getText()).contains(grant);
    live.findElement(By.cssSelector("form[action$='/revoke'] button")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("done")));
    assertThat(browser.findElement(By.id("done")).getText()).contains("Revoked " + grant);
    shot("06-grant-revoked");
    assertThat(h.askToMail(session, "Invoice #4471 is overdue").path("effect").asText())
        .isEqualTo("ask");

    browser.findElement(By.linkText("People")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/people"));
    set(browser.findElement(By.id("person-name")), "dana");
    browser.findElement(By.id("role-approver")).click();
    set(browser.findElement(By.id("person-password")), "dana's first passphrase");
    shot("07-people-add");
    browser.findElement(By.id("add")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("done")));
    assertThat(browser.findElement(By.id("done")).getText()).contains("Added dana (approver)");
    assertThat(browser.findElement(By.id("people")).getText()).contains("dana", "approver");
    shot("08-people-added");
    browser.findElement(By.cssSelector("form.logout button")).click();
    wait.until(ExpectedConditions.urlContains("/console/login"));

    signIn(wait, base, "dana", "dana's first passphrase");
    browser.findElement(By.id("password-link")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/password"));
    set(browser.findElement(By.id("current")), "dana's first passphrase");
    set(browser.findElement(By.id("new")), "dana's own passphrase");
    set(browser.findElement(By.id("repeat")), "dana's own passphrase");
    browser.findElement(By.id("change-password")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("done")));
    assertThat(browser.findElement(By.id("done")).getText()).contains("Password changed");
    shot("09-password-changed");
    // The browser holds the new session: the inbox still opens.
    browser.get(base + "/console/approvals");
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/approvals");
    assertThat(h.signIn("dana", "dana's first passphrase").statusCode()).isEqualTo(401);
    assertThat(h.signIn("dana", "dana's own passphrase").statusCode()).isEqualTo(303);
  }

  @Test
  void anAdminPausesAnAgentInTheConsoleAndResumesIt() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    String base = h.server.uri().toString();
    String session = h.session();
    signIn(wait, base, "admin-1", ConsoleHarness.PASSWORD);
    browser.findElement(By.linkText("Paused")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/pauses"));
    assertThat(browser.findElement(By.id("pauses")).getText()).contains("Nothing is paused");
    WebElement form = browser.findElement(By.id("pause"));
    new org.openqa.selenium.support.ui.Select(form.findElement(By.name("scope")))
        .selectByValue("agent");
    set(form.findElement(By.name("subject")), "invoice-bot");
    set(form.findElement(By.name("reason")), "<b>incident</b> 12");
    form.findElement(By.cssSelector("button")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("done")));
    assertThat(browser.findElement(By.id("pauses")).getText())
        .contains("invoice-bot", "<b>incident</b> 12", "admin-1");
    shot("10-agent-paused");
    JsonNode denied = h.decide(session, "invoices.search", Map.of("vendor", "Globex"));
    assertThat(denied.path("effect").asText()).isEqualTo("deny");
    assertThat(denied.path("reasons").get(0).path("message").asText())
        .contains("agent `invoice-bot` is paused (<b>incident</b> 12)");
    browser.findElement(By.cssSelector("form[action='/console/pauses/resume'] button")).click();
    // the page the pause answered with has a notice too: wait for the resume's own
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("done"), "Resumed"));
    assertThat(
            h.decide(session, "invoices.search", Map.of("vendor", "Globex"))
                .path("effect")
                .asText())
        .isEqualTo("allow");
    browser.findElement(By.cssSelector("form.logout button")).click();
    wait.until(ExpectedConditions.urlContains("/console/login"));
    // an approver sees what is paused but has no switch
    signIn(wait, base, "approver-1", ConsoleHarness.PASSWORD);
    browser.get(base + "/console/pauses");
    assertThat(browser.findElements(By.id("pause"))).isEmpty();
  }

  @Test
  void anAdminReadsWhatAToolsNewDefinitionChangesAndAcceptsIt() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    String base = h.server.uri().toString();
    ToolPins pins = h.server.engine().toolPins();
    Map<String, Object> first = Map.of("name", "read_file", "description", "Read a file.");
    Map<String, Object> changed =
        Map.of("name", "read_file", "description", "Read a file. <script>alert(1)</script>");
    assertThat(pins.check("desk-assistant", "fs", first, List.of()).shown()).isTrue();
    ToolPins.Verdict held = pins.check("desk-assistant", "fs", changed, List.of());
    assertThat(held.shown()).isFalse();

    signIn(wait, base, "admin-1", ConsoleHarness.PASSWORD);
    browser.findElement(By.linkText("Tools")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/tools"));
    WebElement pending = browser.findElement(By.id("pending-tools"));
    assertThat(pending.getText()).contains("desk-assistant", "fs.read_file");
    assertThat(pending.findElement(By.cssSelector("pre.diff .del")).getText())
        .isEqualTo("-   \"description\" : \"Read a file.\",");
    assertThat(pending.findElement(By.cssSelector("pre.diff .add")).getText())
        .isEqualTo("+   \"description\" : \"Read a file. <script>alert(1)</script>\",");
    assertThat(browser.getPageSource()).doesNotContain("<script>alert(1)");
    shot("11-tool-changed");

    pending.findElement(By.cssSelector("form[action='/console/tools/accept'] button")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("done"), "Accepted fs.read_file for desk-assistant"));
    assertThat(browser.findElement(By.id("pending-tools")).getText()).isEqualTo("None.");
    assertThat(browser.findElement(By.id("accepted-tools")).getText()).contains("admin-1");
    shot("12-tool-accepted");
    assertThat(pins.check("desk-assistant", "fs", changed, List.of()).shown()).isTrue();
    assertThat(pins.check("desk-assistant", "fs", first, List.of()).shown()).isFalse();
  }

  private void signIn(WebDriverWait wait, String base, String name, String password) {
    browser.get(base + "/console/login");
    set(browser.findElement(By.id("name")), name);
    set(browser.findElement(By.id("password")), password);
    browser.findElement(By.id("sign-in")).click();
    wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/console/login")));
  }

  private static void set(WebElement input, String value) {
    input.clear();
    input.sendKeys(value);
  }
}
