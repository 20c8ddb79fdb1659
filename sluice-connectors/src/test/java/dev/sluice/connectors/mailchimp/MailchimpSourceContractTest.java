package dev.sluice.connectors.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceConnectorContract;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.sandbox.mailchimp.MailchimpMember;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The source contract for Mailchimp members (pages of 7 over an audience of 40), plus Mailchimp's own paging cases. */
class MailchimpSourceContractTest extends SourceConnectorContract {

  private static MailchimpTestAudience audience;
  private static ConnectionConfig config;
  private static int edits;

  @BeforeAll
  static void start() {
    audience = new MailchimpTestAudience("conn_mcsrc", MailchimpOptions.builder().membersPerList(40).build());
    config = audience.connection("mailchimp-src").setting("page_size", "7").build();
  }

  @AfterAll
  static void stop() {
    audience.close();
  }

  @Override
  protected SourceConnector newConnector() {
    return audience.env.factory.source(config);
  }

  @Override
  protected List<String> objectTypes() {
    return List.of(MailchimpConnector.MEMBERS);
  }

  @Override
  protected Set<String> liveIds(String objectType) {
    return audience.members().stream().filter(m -> !m.status().equals("archived")).map(MailchimpMember::id).collect(Collectors.toSet());
  }

  @Override
  protected Set<String> archivedIds(String objectType) {
    return audience.members().stream().filter(m -> m.status().equals("archived")).map(MailchimpMember::id).collect(Collectors.toSet());
  }

  @Override
  protected SourceRecord expected(String objectType, String id) {
    return audience.expected(id);
  }

  @Override
  protected Set<String> touch(String objectType, int n) {
    Set<String> out = new LinkedHashSet<>();
    for (MailchimpMember m : audience.members()) {
      if (out.size() == n) {
        break;
      }
      if (!m.status().equals("archived")) {
        audience.mailchimp.upsertMember(MailchimpTestAudience.LIST, m.emailAddress(), null, Map.of("LNAME", "Edited " + (++edits)));
        out.add(m.id());
      }
    }
    return out;
  }

  @Override
  protected Set<String> archive(String objectType, int n) {
    Set<String> out = new LinkedHashSet<>();
    for (MailchimpMember m : audience.members()) {
      if (out.size() == n) {
        break;
      }
      if (!m.status().equals("archived")) {
        audience.mailchimp.archiveMember(MailchimpTestAudience.LIST, m.emailAddress());
        out.add(m.id());
      }
    }
    return out;
  }

  @Override
  protected Instant sourceNow() {
    return audience.env.clock.instant();
  }

  @Override
  protected void elapse(Duration d) {
    audience.env.clock.advance(d);
  }

  @Override
  protected Duration overlap() {
    return config.incrementalOverlap();
  }

  @Override
  protected void lagChanges(Duration lag) {
    // last_changed is set by the write itself: the member list never lags.
  }

  @Override
  protected Duration settle() {
    return Duration.ZERO;
  }

  @Test
  void membersSharingOneSecondBeyondAPageAreReadOnceEach() throws Exception {
    // 20 members changed in the same second: more than two pages of 7 share one last_changed.
    elapse(Duration.ofMinutes(10));
    Instant since = sourceNow();
    elapse(Duration.ofSeconds(1));
    Set<String> touched = touch(MailchimpConnector.MEMBERS, 20);
    try (SourceConnector c = newConnector()) {
      List<Page> pages = readAll(c, StreamRequest.incremental(MailchimpConnector.MEMBERS, since.plus(overlap())));
      Map<String, Integer> times = new HashMap<>();
      pages.forEach(p -> p.records().forEach(r -> times.merge(r.externalId(), 1, Integer::sum)));
      assertThat(times.keySet()).containsAll(touched);
      assertThat(times.values()).allMatch(t -> t == 1);
    }
  }

  @Test
  void aMemberChangedBetweenTwoPagesIsReadInItsNewVersionAndNoOtherIsSkipped() throws Exception {
    try (SourceConnector c = newConnector()) {
      StreamRequest req = StreamRequest.full(MailchimpConnector.MEMBERS);
      Page first = c.fetchRecords(req);
      SourceRecord early = first.records().get(0);
      elapse(Duration.ofSeconds(5));
      audience.mailchimp.upsertMember(MailchimpTestAudience.LIST, early.properties().get("email_address"), null, Map.of("FNAME", "Moved"));
      Set<String> read = new HashSet<>();
      first.records().forEach(r -> read.add(r.externalId()));
      SourceRecord again = null;
      req = req.resumeFrom(first.nextCheckpoint());
      while (true) {
        Page p = c.fetchRecords(req);
        for (SourceRecord r : p.records()) {
          if (r.externalId().equals(early.externalId())) {
            again = r;
          }
          read.add(r.externalId());
        }
        if (p.streamDone()) {
          break;
        }
        req = req.resumeFrom(p.nextCheckpoint());
      }
      assertThat(read).containsAll(liveIds(MailchimpConnector.MEMBERS));
      assertThat(again).as("the changed member, read again").isNotNull();
      assertThat(again.properties()).containsEntry("FNAME", "Moved");
    }
  }

  @Test
  void membersAreReadByTheirHashesAndAnUnknownHashIsLeftOut() throws Exception {
    MailchimpMember m = audience.members().get(3);
    String unknown = MailchimpConnector.subscriberHash("nobody@nowhere.test");
    try (SourceConnector c = newConnector()) {
      List<SourceRecord> read = c.readRecords(MailchimpConnector.MEMBERS, List.of(m.id(), unknown));
      assertThat(read).hasSize(1);
      assertThat(normal(read.get(0))).isEqualTo(normal(expected(MailchimpConnector.MEMBERS, m.id())));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.readRecords(MailchimpConnector.MEMBERS, List.of("x@y.z")))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(MailchimpConnector.subscriberHash(" Anna.Smith@Example.COM ")).isEqualTo(MailchimpSandbox.subscriberHash("anna.smith@example.com"));
  }
}
