package dev.tollgate.api;

/**
 * Sensitive data found in an action or a result. Never holds the value in clear.
 *
 * @param detector the detector that fired, for example {@code iban}
 * @param label the label it gives, for example {@code financial}
 * @param path a JSON pointer to where it was found, for example {@code /args/body}
 * @param excerpt a masked excerpt, for example {@code DE89 •••• 3000}
 */
public record Finding(String detector, String label, String path, String excerpt) {}
