package dev.switchboard.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.event.Binding;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.Event;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The index against a brute-force scan of every subscription, on randomized subscriptions, changes and events. */
class MatchIndexTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final String[] CLASSES = {"call", "message", "registration", "custom"};
  private static final String[] EVENTS = {"ringing", "hangup", "received", "registered", "a.b"};

  private final Random random = new Random(20261124);
  private final Map<String, String> parents = new HashMap<>();
  private final Map<String, Subscription> live = new HashMap<>();
  private final MatchIndex index = new MatchIndex(() -> NOW);

  @Test
  void agreesWithBruteForceThroughChanges() {
    List<String> accounts = accountTree();
    for (int i = 0; i < 1500; i++) {
      put(randomSubscription("s" + i, accounts, 1));
    }
    check(accounts, 1000);
    for (int round = 0; round < 5; round++) {
      List<String> ids = new ArrayList<>(live.keySet());
      for (int i = 0; i < 300; i++) {
        String id = ids.get(random.nextInt(ids.size()));
        Subscription current = live.get(id);
        if (current == null) {
          continue;
        }
        if (random.nextInt(5) == 0) {
          index.replace(current, null);
          live.remove(id);
        } else {
          put(randomSubscription(id, accounts, current.version() + 1));
        }
      }
      String moved = accounts.get(5 + random.nextInt(accounts.size() - 5));
      String newParent = accounts.get(random.nextInt(5));
      parents.put(moved, newParent);
      accounts.forEach(this::chain);
      check(accounts, 600);
    }
  }

  @Test
  void agreesWithBruteForceWhenFiledAtOnceThenChanged() {
    List<String> accounts = accountTree();
    for (int i = 0; i < 3000; i++) {
      Subscription subscription = randomSubscription("s" + i, accounts, 1);
      live.put(subscription.id(), subscription);
    }
    index.fileAll(live.values());
    check(accounts, 1000);
    List<String> ids = new ArrayList<>(live.keySet());
    for (int i = 0; i < 500; i++) {
      Subscription current = live.get(ids.get(random.nextInt(ids.size())));
      if (current != null) {
        put(randomSubscription(current.id(), accounts, current.version() + 1));
      }
    }
    check(accounts, 1000);
  }

  /** 150 accounts: five roots, each other account under one made before it. */
  private List<String> accountTree() {
    List<String> accounts = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      String id = "acc" + i;
      parents.put(id, i < 5 ? null : accounts.get(random.nextInt(accounts.size())));
      accounts.add(id);
    }
    accounts.forEach(this::chain);
    return accounts;
  }

  private void put(Subscription subscription) {
    index.replace(live.get(subscription.id()), subscription);
    live.put(subscription.id(), subscription);
  }

  private void chain(String account) {
    List<String> chain = new ArrayList<>();
    for (String at = account; at != null; at = parents.get(at)) {
      chain.add(at);
    }
    index.chain(account, chain);
  }

  private void check(List<String> accounts, int events) {
    for (int i = 0; i < events; i++) {
      Event event = randomEvent(accounts);
      List<Subscription> found = index.match(event);
      Set<String> ids = new HashSet<>();
      found.forEach(sub -> ids.add(sub.id()));
      assertEquals(found.size(), ids.size(), "each subscription at most once");
      assertEquals(bruteForce(event), ids, event::toJson);
    }
  }

  private Set<String> bruteForce(Event event) {
    Set<String> ids = new HashSet<>();
    for (Subscription sub : live.values()) {
      boolean account = sub.accountId() == null || sub.accountId().equals(event.accountId())
          || (sub.includeSubaccounts() && ancestors(event.accountId()).contains(sub.accountId()));
      if (account && sub.enabled() && (sub.expiresAt() == null || sub.expiresAt() > NOW)
          && sub.bindings().matches(event) && sub.filter().matches(event)) {
        ids.add(sub.id());
      }
    }
    return ids;
  }

  private Set<String> ancestors(String account) {
    Set<String> all = new HashSet<>();
    for (String at = account == null ? null : parents.get(account); at != null; at = parents.get(at)) {
      all.add(at);
    }
    return all;
  }

  private Subscription randomSubscription(String id, List<String> accounts, long version) {
    List<Binding> bindings = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      String eventClass = random.nextInt(4) == 0 ? "*" : pick(CLASSES);
      String event = random.nextInt(3) == 0 ? "*" : pick(EVENTS);
      bindings.add(Binding.parse(eventClass + "." + event));
    }
    List<Filter.Condition> conditions = new ArrayList<>();
    if (random.nextInt(3) == 0) {
      conditions.add(new Filter.Condition("direction", false, random.nextBoolean() ? "inbound" : "outbound"));
    }
    if (random.nextInt(4) == 0) {
      conditions.add(new Filter.Condition("to", true, "+61" + random.nextInt(3)));
    }
    if (random.nextInt(6) == 0) {
      conditions.add(new Filter.Condition("duration", false, random.nextInt(3)));
    }
    // Half go to five busy accounts (indexed shelves), half spread thin (scanned shelves).
    String account = random.nextInt(30) == 0 ? null
        : random.nextBoolean() ? accounts.get(random.nextInt(5)) : pick(accounts.toArray(String[]::new));
    Long expiresAt = random.nextInt(8) == 0 ? NOW + (random.nextBoolean() ? -1 : 1) * 1000L : null;
    return new Subscription(id, "n", account, random.nextBoolean(), Bindings.of(bindings), new Filter(conditions),
        new Target("https://x.example/", "POST", "json", Map.of()), new JsonObject(), null, random.nextInt(6) != 0,
        null, expiresAt, "whsec_x", null, null, 0, 0, version, false);
  }

  private Event randomEvent(List<String> accounts) {
    int which = random.nextInt(20);
    String account = which == 0 ? null : which == 1 ? "unknown" : pick(accounts.toArray(String[]::new));
    Event.Builder builder = Event.builder(pick(CLASSES), pick(EVENTS)).accountId(account);
    if (random.nextBoolean()) {
      builder.put("direction", random.nextBoolean() ? "inbound" : "outbound");
    }
    if (random.nextBoolean()) {
      builder.put("to", "+61" + random.nextInt(4) + "555");
    }
    if (random.nextBoolean()) {
      builder.put("duration", random.nextBoolean() ? (Object) random.nextInt(3) : (Object) (long) random.nextInt(3));
    }
    return builder.build();
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }
}
