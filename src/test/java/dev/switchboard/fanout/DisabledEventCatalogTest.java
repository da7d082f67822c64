package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.event.Binding;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.subscription.Filter;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.Target;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code subscription.disabled} as fan-out builds it, held against the event catalogue. */
class DisabledEventCatalogTest {

  private static Subscription subscription(String name) {
    return new Subscription("sub_1", name, "acme", false, Bindings.of(List.of(Binding.parse("call.*"))), new Filter(List.of()),
        new Target("https://x.example/", "POST", "json", Map.of()), new JsonObject(), null, true, null, null, "whsec_x",
        null, null, 0, 0, 1, false);
  }

  @Test
  void disabledEventIsCataloguedWithAndWithoutAName() {
    CatalogCheck check = new CatalogCheck();
    Event named = FanoutVerticle.disabledEvent(subscription("CRM"), "HTTP 410 Gone");
    Event unnamed = FanoutVerticle.disabledEvent(subscription(null), "3 consecutive failed attempts");
    check.check(named, Emitter.FANOUT);
    check.check(unnamed, Emitter.FANOUT);
    check.assertEverythingSeen(Emitter.FANOUT, "subscription");
    assertEquals("acme", named.accountId());
    assertFalse(unnamed.fields().containsKey("name"));
  }
}
