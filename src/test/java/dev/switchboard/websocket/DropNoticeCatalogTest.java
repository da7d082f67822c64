package dev.switchboard.websocket;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog.Emitter;
import org.junit.jupiter.api.Test;

/** {@code system.events_dropped} as the feed builds it, held against the event catalogue. */
class DropNoticeCatalogTest {

  @Test
  void dropNoticeIsCatalogued() {
    CatalogCheck check = new CatalogCheck();
    Event notice = FeedConnection.dropNotice(12, 40);
    check.check(notice, Emitter.WEBSOCKET);
    check.assertEverythingSeen(Emitter.WEBSOCKET, "system");
    assertNull(notice.accountId(), "system-level");
  }
}
