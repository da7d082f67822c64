package dev.switchboard.ingest.sip;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Ordered rules that give a SIP event its {@code account_id}; the first that matches wins, none
 * leaves the event system-level. Each rule is an object with one condition and an
 * {@code account_id}:
 * <ul>
 *   <li>{@code {"to_domain": "acme.example", "account_id": "acme"}} (also {@code from_domain},
 *       and {@code domain} for either side);</li>
 *   <li>{@code {"to_prefix": "+4420", "account_id": "london"}} (also {@code from_prefix}, and
 *       {@code number_prefix} for either side) on the user part;</li>
 *   <li>{@code {"header": "X-Account-ID"}}: the header's value is the account (or, with
 *       {@code "value"} and {@code "account_id"}, that account when the header has that value);</li>
 *   <li>{@code {"capture_id": 2001, "account_id": "pbx1"}}.</li>
 * </ul>
 */
public final class AccountRules {

  /** What a rule can look at. */
  public interface Facts {
    /** The From URI's host, lower case, or {@code null}. */
    String fromDomain();

    /** The To URI's host, lower case, or {@code null}. */
    String toDomain();

    /** The From URI's user part, or {@code null}. */
    String fromUser();

    /** The To URI's user part, or {@code null}. */
    String toUser();

    /** A SIP header's first value, or {@code null}. */
    String header(String name);

    /** The capture agent id, -1 when unknown. */
    long captureId();
  }

  private static final List<String> CONDITIONS = List.of("to_domain", "from_domain", "domain", "to_prefix",
      "from_prefix", "number_prefix", "header", "capture_id");

  private final List<Function<Facts, String>> rules;

  private AccountRules(List<Function<Facts, String>> rules) {
    this.rules = rules;
  }

  /** No rules: every event is system-level. */
  public static AccountRules none() {
    return new AccountRules(List.of());
  }

  /**
   * Reads the rules from configuration ({@code sip.accounts}).
   *
   * @throws IllegalArgumentException naming the first rule that is not understood
   */
  public static AccountRules parse(JsonArray entries) {
    List<Function<Facts, String>> rules = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.getValue(i) instanceof JsonObject rule)) {
        throw new IllegalArgumentException("rule " + (i + 1) + " must be an object");
      }
      rules.add(rule(rule, i + 1));
    }
    return new AccountRules(List.copyOf(rules));
  }

  /** The account of the first matching rule, or {@code null}. */
  public String resolve(Facts facts) {
    for (Function<Facts, String> rule : rules) {
      String account = rule.apply(facts);
      if (account != null && !account.isBlank()) {
        return account.trim();
      }
    }
    return null;
  }

  private static Function<Facts, String> rule(JsonObject rule, int number) {
    List<String> conditions = CONDITIONS.stream().filter(rule::containsKey).toList();
    if (conditions.size() != 1) {
      throw new IllegalArgumentException("rule " + number + " must have exactly one of " + CONDITIONS + " (got "
          + rule.fieldNames() + ")");
    }
    String condition = conditions.get(0);
    Object account = rule.getValue("account_id");
    if (account != null && !(account instanceof String)) {
      throw new IllegalArgumentException("rule " + number + ": account_id must be a string");
    }
    String accountId = (String) account;
    if (accountId == null && !condition.equals("header")) {
      throw new IllegalArgumentException("rule " + number + " needs an account_id");
    }
    String wanted = String.valueOf(rule.getValue(condition));
    switch (condition) {
      case "to_domain":
        return facts -> equalsIgnoreCase(facts.toDomain(), wanted) ? accountId : null;
      case "from_domain":
        return facts -> equalsIgnoreCase(facts.fromDomain(), wanted) ? accountId : null;
      case "domain":
        return facts -> equalsIgnoreCase(facts.toDomain(), wanted) || equalsIgnoreCase(facts.fromDomain(), wanted)
            ? accountId : null;
      case "to_prefix":
        return facts -> startsWith(facts.toUser(), wanted) ? accountId : null;
      case "from_prefix":
        return facts -> startsWith(facts.fromUser(), wanted) ? accountId : null;
      case "number_prefix":
        return facts -> startsWith(facts.toUser(), wanted) || startsWith(facts.fromUser(), wanted) ? accountId : null;
      case "capture_id":
        long captureId;
        try {
          captureId = Long.parseLong(wanted);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("rule " + number + ": capture_id must be a number");
        }
        return facts -> facts.captureId() == captureId ? accountId : null;
      default:
        Object value = rule.getValue("value");
        if (value == null) {
          return facts -> facts.header(wanted);
        }
        if (accountId == null) {
          throw new IllegalArgumentException("rule " + number + " with a header value needs an account_id");
        }
        return facts -> String.valueOf(value).equals(facts.header(wanted)) ? accountId : null;
    }
  }

  private static boolean equalsIgnoreCase(String actual, String wanted) {
    return actual != null && actual.toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT));
  }

  private static boolean startsWith(String actual, String prefix) {
    return actual != null && actual.startsWith(prefix);
  }
}
