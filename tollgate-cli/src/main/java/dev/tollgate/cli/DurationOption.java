package dev.tollgate.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A duration option: written as in policies and requests ({@code 500ms}, {@code 10s}, {@code 15m},
 * {@code 2h}, {@code 1d}), or in ISO 8601 ({@code PT10S}), which serve's options took before; it
 * must be positive.
 */
final class DurationOption implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  @Override
  public Duration convert(String text) {
    String t = text == null ? "" : text.strip();
    Duration d;
    Matcher m = FORM.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "`"
                + text
                + "` is not a duration: write a whole number and a unit, as 500ms, 10s, 15m");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new CommandLine.TypeConversionException(
          "`" + text + "` is not a positive duration: write one as 500ms, 10s or 15m");
    }
    return d;
  }
}
