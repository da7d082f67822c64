package dev.switchboard.subscription;

import dev.switchboard.auth.Principal;
import dev.switchboard.event.Binding;
import dev.switchboard.event.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which subscriptions want an event, without scanning them all. Subscriptions are filed by owning
 * account (those that include sub-accounts apart from those that do not), then by binding: exact
 * {@code class.event}, {@code class.*}, {@code *.event}, {@code *}. An event looks up its
 * account and that account's cached ancestor chain, four small buckets each, so the cost follows
 * the number of candidates, not the number of subscriptions.
 *
 * <p>One writer (the subscription verticle's event loop), any number of concurrent readers. Each
 * bucket is an immutable array replaced whole on change; a changed subscription enters its new
 * buckets before it leaves its old ones, so a concurrent reader sees the old or the new version,
 * never neither (results are deduplicated by id).
 */
public final class MatchIndex implements SubscriptionIndex {

  private static final Subscription[] EMPTY = new Subscription[0];
  private static final String SYSTEM = "";

  private final Map<String, Owner> owners = new ConcurrentHashMap<>();
  private final Map<String, String[]> chains = new ConcurrentHashMap<>();
  private final Map<String, Subscription> byId = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  /** @param clock Unix milliseconds, to leave out expired subscriptions */
  public MatchIndex(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public List<Subscription> match(Event event) {
    long now = clock.getAsLong();
    List<Subscription> found = new ArrayList<>(4);
    String eventClass = event.eventClass();
    String name = event.event();
    Owner system = owners.get(SYSTEM);
    if (system != null) {
      system.direct.collect(event, eventClass, name, now, found);
      system.inherited.collect(event, eventClass, name, now, found);
    }
    String account = event.accountId();
    if (account != null) {
      String[] chain = chains.get(account);
      Owner own = owners.get(account);
      if (own != null) {
        own.direct.collect(event, eventClass, name, now, found);
        own.inherited.collect(event, eventClass, name, now, found);
      }
      if (chain != null) {
        for (int i = 1; i < chain.length; i++) {
          Owner ancestor = owners.get(chain[i]);
          if (ancestor != null) {
            ancestor.inherited.collect(event, eventClass, name, now, found);
          }
        }
      }
    }
    return deduplicate(found);
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
    String[] chain = chains.get(accountId);
    if (chain != null) {
      for (int i = 1; i < chain.length; i++) {
        if (chain[i].equals(principal.accountId())) {
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
    chains.put(accountId, selfThenAncestors.toArray(String[]::new));
  }

  /** Forgets a deleted account's chain. */
  void forgetChain(String accountId) {
    chains.remove(accountId);
  }

  /**
   * Files a subscription in place of its previous version ({@code null} when new). One that is
   * disabled is only removed.
   */
  void replace(Subscription previous, Subscription current) {
    if (current != null) {
      byId.put(current.id(), current);
    } else if (previous != null) {
      byId.remove(previous.id());
    }
    Set<Slot> added = current == null || !current.enabled() ? Set.of() : slots(current);
    for (Slot slot : added) {
      slot.bucket(owner(slot.account)).put(slot, current);
    }
    if (previous != null) {
      for (Slot slot : slots(previous)) {
        if (!added.contains(slot)) {
          Owner owner = owners.get(slot.account);
          if (owner != null) {
            slot.bucket(owner).remove(slot, previous.id());
          }
        }
      }
    }
  }

  private Owner owner(String account) {
    return owners.computeIfAbsent(account, ignored -> new Owner());
  }

  private static Set<Slot> slots(Subscription subscription) {
    Set<Slot> slots = new HashSet<>();
    String account = subscription.accountId() == null ? SYSTEM : subscription.accountId();
    for (Binding binding : subscription.bindings().asList()) {
      slots.add(new Slot(account, subscription.includeSubaccounts(), binding.eventClass(), binding.event()));
    }
    return slots;
  }

  private static List<Subscription> deduplicate(List<Subscription> found) {
    int size = found.size();
    if (size < 2) {
      return found;
    }
    if (size <= 16) {
      List<Subscription> unique = new ArrayList<>(size);
      outer:
      for (Subscription candidate : found) {
        for (Subscription kept : unique) {
          if (kept.id().equals(candidate.id())) {
            continue outer;
          }
        }
        unique.add(candidate);
      }
      return unique;
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

  /** Where one binding of one subscription is filed. */
  private record Slot(String account, boolean inherited, String eventClass, String event) {

    Buckets bucket(Owner owner) {
      return inherited ? owner.inherited : owner.direct;
    }
  }

  /** One account's subscriptions. */
  private static final class Owner {
    final Buckets direct = new Buckets();
    final Buckets inherited = new Buckets();
  }

  /** Subscriptions by binding shape. */
  private static final class Buckets {
    final Map<String, Map<String, Subscription[]>> exact = new ConcurrentHashMap<>();
    final Map<String, Subscription[]> byClass = new ConcurrentHashMap<>();
    final Map<String, Subscription[]> byEvent = new ConcurrentHashMap<>();
    volatile Subscription[] all = EMPTY;

    void collect(Event event, String eventClass, String name, long now, List<Subscription> found) {
      Map<String, Subscription[]> ofClass = exact.get(eventClass);
      if (ofClass != null) {
        add(ofClass.get(name), event, now, found);
      }
      add(byClass.get(eventClass), event, now, found);
      add(byEvent.get(name), event, now, found);
      add(all, event, now, found);
    }

    private static void add(Subscription[] candidates, Event event, long now, List<Subscription> found) {
      if (candidates == null) {
        return;
      }
      for (Subscription candidate : candidates) {
        if (candidate.activeAt(now) && candidate.filter().matches(event)) {
          found.add(candidate);
        }
      }
    }

    void put(Slot slot, Subscription subscription) {
      if (slot.eventClass() != null && slot.event() != null) {
        exact.computeIfAbsent(slot.eventClass(), ignored -> new ConcurrentHashMap<>())
            .compute(slot.event(), (key, array) -> with(array, subscription));
      } else if (slot.eventClass() != null) {
        byClass.compute(slot.eventClass(), (key, array) -> with(array, subscription));
      } else if (slot.event() != null) {
        byEvent.compute(slot.event(), (key, array) -> with(array, subscription));
      } else {
        all = with(all, subscription);
      }
    }

    void remove(Slot slot, String id) {
      if (slot.eventClass() != null && slot.event() != null) {
        Map<String, Subscription[]> ofClass = exact.get(slot.eventClass());
        if (ofClass != null) {
          ofClass.computeIfPresent(slot.event(), (key, array) -> without(array, id));
          if (ofClass.isEmpty()) {
            exact.remove(slot.eventClass(), ofClass);
          }
        }
      } else if (slot.eventClass() != null) {
        byClass.computeIfPresent(slot.eventClass(), (key, array) -> without(array, id));
      } else if (slot.event() != null) {
        byEvent.computeIfPresent(slot.event(), (key, array) -> without(array, id));
      } else {
        Subscription[] rest = without(all, id);
        all = rest == null ? EMPTY : rest;
      }
    }

    /** The array with the subscription added, or put in place of its previous version. */
    private static Subscription[] with(Subscription[] array, Subscription subscription) {
      if (array == null) {
        return new Subscription[] {subscription};
      }
      for (int i = 0; i < array.length; i++) {
        if (array[i].id().equals(subscription.id())) {
          Subscription[] copy = array.clone();
          copy[i] = subscription;
          return copy;
        }
      }
      Subscription[] copy = Arrays.copyOf(array, array.length + 1);
      copy[array.length] = subscription;
      return copy;
    }

    /** The array without that subscription; {@code null} (drop the bucket) when nothing is left. */
    private static Subscription[] without(Subscription[] array, String id) {
      int at = -1;
      for (int i = 0; i < array.length; i++) {
        if (array[i].id().equals(id)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return array;
      }
      if (array.length == 1) {
        return null;
      }
      Subscription[] copy = new Subscription[array.length - 1];
      System.arraycopy(array, 0, copy, 0, at);
      System.arraycopy(array, at + 1, copy, at, array.length - at - 1);
      return copy;
    }
  }
}
