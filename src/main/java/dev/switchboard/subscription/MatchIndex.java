package dev.switchboard.subscription;

import dev.switchboard.auth.Principal;
import dev.switchboard.event.Binding;
import dev.switchboard.event.Event;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Which subscriptions want an event, without scanning them all. Each account has a node holding
 * its subscriptions in two shelves (those that include sub-accounts apart from those that do not)
 * and its cached ancestor chain. An event visits its own account's node, the inheriting shelves of
 * its ancestors and the system node, so the cost follows the candidates of those few accounts,
 * never the total. A shelf of a few subscriptions is a flat array scanned with precomputed hashes
 * (one cache line or two, which is what an event touching a cold account pays for); a larger one
 * is indexed by binding: exact {@code class.event}, {@code class.*}, {@code *.event}, {@code *}.
 *
 * <p>One writer (the subscription verticle's event loop), any number of concurrent readers, no
 * locks. Shelves are immutable and replaced whole when one of their subscriptions changes (a copy
 * of that account's subscriptions only). A changed subscription enters its new shelf before it
 * leaves its old one, so a concurrent reader sees the old or the new version, never neither; a
 * reader that ran during a change deduplicates by id.
 */
public final class MatchIndex implements SubscriptionIndex {

  /** Shelves up to this many bindings are scanned; larger ones are indexed. */
  static final int SCAN_LIMIT = 16;

  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final Node system = new Node(null);
  private final Map<String, Subscription> byId = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  /** Writer-only: every filed subscription by owner ({@code ""} for system), in filing order. */
  private final Map<String, Map<String, Subscription>> filed = new HashMap<>();
  /** Writer-only: one shared instance of each class and event name that bindings use. */
  private final Map<String, String> names = new HashMap<>();
  /** Odd while shelves are being replaced; readers that saw it change deduplicate. */
  private volatile long moves;

  /** @param clock Unix milliseconds, to leave out expired subscriptions */
  public MatchIndex(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public List<Subscription> match(Event event) {
    long movesBefore = moves;
    Probe probe = new Probe(event, clock.getAsLong());
    system.direct.collect(probe);
    system.inherited.collect(probe);
    String account = event.accountId();
    if (account != null) {
      Node own = nodes.get(account);
      if (own != null) {
        own.direct.collect(probe);
        own.inherited.collect(probe);
        for (Node ancestor : own.ancestors) {
          ancestor.inherited.collect(probe);
        }
      }
    }
    boolean moved = (movesBefore & 1) == 1 || moves != movesBefore;
    return probe.repeats || moved ? deduplicate(probe.found) : probe.found;
  }

  @Override
  public boolean covers(Principal principal, String accountId) {
    if (principal.isSystem()) {
      return true;
    }
    if (accountId == null) {
      return false;
    }
    if (accountId.equals(principal.accountId())) {
      return true;
    }
    if (!principal.includeSubaccounts()) {
      return false;
    }
    Node node = nodes.get(accountId);
    if (node != null) {
      for (Node ancestor : node.ancestors) {
        if (principal.accountId().equals(ancestor.account)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public Subscription find(String id) {
    return byId.get(id);
  }

  /** Sets an account's ancestor chain: itself first, then its parent, up to the root. */
  void chain(String accountId, List<String> selfThenAncestors) {
    Node[] ancestors = new Node[selfThenAncestors.size() - 1];
    for (int i = 1; i < selfThenAncestors.size(); i++) {
      ancestors[i - 1] = node(selfThenAncestors.get(i));
    }
    node(accountId).ancestors = ancestors;
  }

  /** Forgets a deleted account's chain. */
  void forgetChain(String accountId) {
    Node node = nodes.get(accountId);
    if (node != null) {
      node.ancestors = Node.NONE;
      if (!filed.containsKey(accountId)) {
        nodes.remove(accountId);
      }
    }
  }

  /**
   * Files a subscription in place of its previous version ({@code null} when new); {@code current}
   * {@code null} or disabled only removes.
   */
  void replace(Subscription previous, Subscription current) {
    if (current != null) {
      byId.put(current.id(), current);
    } else if (previous != null) {
      byId.remove(previous.id());
    }
    String from = previous == null ? null : owner(previous);
    String to = current == null || !current.enabled() ? null : owner(current);
    moves++;
    try {
      if (to != null) {
        filed.computeIfAbsent(to, ignored -> new LinkedHashMap<>()).put(current.id(), current);
        refile(to);
      }
      if (from != null && !from.equals(to)) {
        Map<String, Subscription> rest = filed.get(from);
        if (rest != null) {
          rest.remove(previous.id());
          if (rest.isEmpty()) {
            filed.remove(from);
          }
          refile(from);
        }
      }
    } finally {
      moves++;
    }
  }

  /**
   * Files many subscriptions not filed before, at once (those stored, at start): each account's
   * shelves are built once, not once per subscription — filed one by one, an account's
   * subscriptions cost time quadratic in their number (20,000 in one account took 31 s).
   */
  void fileAll(Collection<Subscription> subscriptions) {
    Set<String> owners = new LinkedHashSet<>();
    moves++;
    try {
      for (Subscription subscription : subscriptions) {
        byId.put(subscription.id(), subscription);
        if (subscription.enabled()) {
          String to = owner(subscription);
          filed.computeIfAbsent(to, ignored -> new LinkedHashMap<>()).put(subscription.id(), subscription);
          owners.add(to);
        }
      }
      owners.forEach(this::refile);
    } finally {
      moves++;
    }
  }

  private static String owner(Subscription subscription) {
    return subscription.accountId() == null ? "" : subscription.accountId();
  }

  private Node node(String account) {
    return account.isEmpty() ? system : nodes.computeIfAbsent(account, Node::new);
  }

  private void refile(String owner) {
    List<Subscription> direct = new ArrayList<>();
    List<Subscription> inherited = new ArrayList<>();
    for (Subscription subscription : filed.getOrDefault(owner, Map.of()).values()) {
      (subscription.includeSubaccounts() ? inherited : direct).add(subscription);
    }
    Node node = node(owner);
    node.inherited = Shelf.of(inherited, this::canonical);
    node.direct = Shelf.of(direct, this::canonical);
  }

  private String canonical(String name) {
    return name == null ? null : names.computeIfAbsent(name, ignored -> name);
  }

  private static List<Subscription> deduplicate(List<Subscription> found) {
    int size = found.size();
    if (size < 2) {
      return found;
    }
    Set<String> seen = new HashSet<>(size * 2);
    List<Subscription> unique = new ArrayList<>(size);
    for (Subscription candidate : found) {
      if (seen.add(candidate.id())) {
        unique.add(candidate);
      }
    }
    return unique;
  }

  /** One account (or the system, {@code account == null}): its shelves and its ancestors. */
  private static final class Node {
    static final Node[] NONE = new Node[0];

    final String account;
    volatile Shelf direct = Shelf.EMPTY;
    volatile Shelf inherited = Shelf.EMPTY;
    volatile Node[] ancestors = NONE;

    Node(String account) {
      this.account = account;
    }
  }

  /** One event being matched, with what it has found. */
  private static final class Probe {
    final Event event;
    final String eventClass;
    final String name;
    final int classHash;
    final int nameHash;
    final long now;
    final List<Subscription> found = new ArrayList<>(8);
    boolean repeats;

    Probe(Event event, long now) {
      this.event = event;
      this.eventClass = event.eventClass();
      this.name = event.event();
      this.classHash = eventClass.hashCode();
      this.nameHash = name.hashCode();
      this.now = now;
    }

    void offer(Subscription candidate) {
      if (candidate.activeAt(now) && candidate.filter().matches(event)) {
        found.add(candidate);
      }
    }
  }

  /** Some subscriptions of one account, by binding; immutable. */
  private abstract static class Shelf {
    static final Shelf EMPTY = new Scan(List.of(), List.of(), UnaryOperator.identity());

    /** Whether a subscription sits here more than once (several bindings), so results need deduplicating. */
    final boolean repeats;

    Shelf(boolean repeats) {
      this.repeats = repeats;
    }

    abstract void collect(Probe probe);

    static Shelf of(List<Subscription> subscriptions, UnaryOperator<String> canonical) {
      if (subscriptions.isEmpty()) {
        return EMPTY;
      }
      List<Subscription> owners = new ArrayList<>();
      List<Binding> bindings = new ArrayList<>();
      for (Subscription subscription : subscriptions) {
        for (Binding binding : subscription.bindings().asList()) {
          owners.add(subscription);
          bindings.add(binding);
        }
      }
      return bindings.size() <= SCAN_LIMIT ? new Scan(owners, bindings, canonical) : new Indexed(owners, bindings);
    }
  }

  /**
   * A few bindings in two flat arrays: per binding, its class and event hashes and its expiry in
   * {@code keys}, its class, event, filter and subscription in {@code refs}. Names are shared
   * instances across the index, so comparing them stays in cache; a subscription object is
   * touched only when it matches.
   */
  private static final class Scan extends Shelf {
    private final long[] keys;
    private final Object[] refs;

    Scan(List<Subscription> owners, List<Binding> bindings, UnaryOperator<String> canonical) {
      super(owners.size() != new HashSet<>(owners).size());
      int size = owners.size();
      keys = new long[size * 2];
      refs = new Object[size * 4];
      for (int i = 0; i < size; i++) {
        Subscription subscription = owners.get(i);
        String eventClass = canonical.apply(bindings.get(i).eventClass());
        String event = canonical.apply(bindings.get(i).event());
        keys[2 * i] = ((long) hash(eventClass) << 32) | (hash(event) & 0xFFFF_FFFFL);
        keys[2 * i + 1] = subscription.expiresAt() == null ? Long.MAX_VALUE : subscription.expiresAt();
        refs[4 * i] = eventClass;
        refs[4 * i + 1] = event;
        refs[4 * i + 2] = subscription.filter();
        refs[4 * i + 3] = subscription;
      }
    }

    private static int hash(String name) {
      return name == null ? 0 : name.hashCode();
    }

    @Override
    void collect(Probe probe) {
      if (this == EMPTY) {
        return;
      }
      int before = probe.found.size();
      for (int i = 0, size = keys.length / 2; i < size; i++) {
        long key = keys[2 * i];
        Object eventClass = refs[4 * i];
        if (eventClass != null && ((int) (key >>> 32) != probe.classHash || !eventClass.equals(probe.eventClass))) {
          continue;
        }
        Object event = refs[4 * i + 1];
        if (event != null && ((int) key != probe.nameHash || !event.equals(probe.name))) {
          continue;
        }
        if (keys[2 * i + 1] > probe.now && ((Filter) refs[4 * i + 2]).matches(probe.event)) {
          probe.found.add((Subscription) refs[4 * i + 3]);
        }
      }
      probe.repeats |= repeats && probe.found.size() > before;
    }
  }

  /** Many bindings, filed by shape so that only candidates are visited. */
  private static final class Indexed extends Shelf {
    private final Map<String, Map<String, Subscription[]>> exact = new HashMap<>();
    private final Map<String, Subscription[]> byClass = new HashMap<>();
    private final Map<String, Subscription[]> byEvent = new HashMap<>();
    private final Subscription[] all;

    Indexed(List<Subscription> owners, List<Binding> bindings) {
      super(owners.size() != new HashSet<>(owners).size());
      Map<String, Map<String, List<Subscription>>> exactLists = new HashMap<>();
      Map<String, List<Subscription>> classLists = new HashMap<>();
      Map<String, List<Subscription>> eventLists = new HashMap<>();
      List<Subscription> allList = new ArrayList<>();
      for (int i = 0; i < owners.size(); i++) {
        Binding binding = bindings.get(i);
        Subscription owner = owners.get(i);
        if (binding.eventClass() != null && binding.event() != null) {
          exactLists.computeIfAbsent(binding.eventClass(), ignored -> new HashMap<>())
              .computeIfAbsent(binding.event(), ignored -> new ArrayList<>()).add(owner);
        } else if (binding.eventClass() != null) {
          classLists.computeIfAbsent(binding.eventClass(), ignored -> new ArrayList<>()).add(owner);
        } else if (binding.event() != null) {
          eventLists.computeIfAbsent(binding.event(), ignored -> new ArrayList<>()).add(owner);
        } else {
          allList.add(owner);
        }
      }
      exactLists.forEach((eventClass, byName) -> {
        Map<String, Subscription[]> arrays = new HashMap<>();
        byName.forEach((name, list) -> arrays.put(name, list.toArray(new Subscription[0])));
        exact.put(eventClass, arrays);
      });
      classLists.forEach((key, list) -> byClass.put(key, list.toArray(new Subscription[0])));
      eventLists.forEach((key, list) -> byEvent.put(key, list.toArray(new Subscription[0])));
      all = allList.toArray(new Subscription[0]);
    }

    @Override
    void collect(Probe probe) {
      int before = probe.found.size();
      Map<String, Subscription[]> ofClass = exact.get(probe.eventClass);
      if (ofClass != null) {
        offer(ofClass.get(probe.name), probe);
      }
      offer(byClass.get(probe.eventClass), probe);
      offer(byEvent.get(probe.name), probe);
      offer(all, probe);
      probe.repeats |= repeats && probe.found.size() > before;
    }

    private static void offer(Subscription[] candidates, Probe probe) {
      if (candidates != null) {
        for (Subscription candidate : candidates) {
          probe.offer(candidate);
        }
      }
    }
  }
}
