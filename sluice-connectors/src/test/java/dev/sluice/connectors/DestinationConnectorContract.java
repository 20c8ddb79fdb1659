package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DestinationConnector} must do, checked against the sandbox over loopback HTTP:
 * a batch with one bad record writes the others and reports that one; the same batch uploaded
 * twice has one effect; the platform's rate-limit answer is a {@code RATE_LIMITED} failure with
 * the platform's wait, snoozed by {@code handleError}; a 5xx is retried; rejected credentials are a
 * clear {@code AUTH} failure that stops; a connector that deletes removes exactly the records named,
 * in input order, and a record already gone counts as deleted (so a repeated delete has one effect),
 * while one that does not refuses the call as a permanent batch error. Faults come from the
 * sandbox's {@code FaultInjector}.
 */
public abstract class DestinationConnectorContract {

  private static final AtomicInteger SEQ = new AtomicInteger();

  /** The sandbox the connector talks to (for faults). */
  protected abstract Sandbox sandbox();

  /** A connector on a valid connection. */
  protected abstract DestinationConnector newConnector();

  /** A connector on a connection whose credentials the platform rejects. */
  protected abstract DestinationConnector newConnectorWithBadCredentials();

  /** The object written. */
  protected abstract String objectType();

  /** The field the records are upserted by. */
  protected abstract String keyField();

  /** Mapped values of a valid new record whose key is {@code key}. */
  protected abstract Map<String, Object> goodRecord(String key);

  /** Mapped values that pass {@code mapFields} but that the platform refuses for this one record. */
  protected abstract Map<String, Object> badRecord(String key);

  /** How many records the platform holds (or, for an event API, has accepted) under {@code key}. */
  protected abstract int storedCount(String key);

  /** The path prefix the connector's writes go to (faults are injected there). */
  protected abstract String writePath();

  /** The wait the platform asks for after its rate-limit answer (its Retry-After, or the connector's documented default). */
  protected abstract java.time.Duration expectedRateLimitWait();

  /** Whether the connector deletes records ({@link DestinationConnector#deleteBatch}); default yes. */
  protected boolean deletes() {
    return true;
  }

  /**
   * Whether the record the platform answered {@code id} for is gone (deleted, archived) in the
   * sandbox's own state. Asked only when {@link #deletes()}.
   */
  protected boolean goneOnPlatform(String id) {
    throw new UnsupportedOperationException("a connector that deletes names how its sandbox shows a deleted record");
  }

  protected String newKey() {
    return "k" + System.nanoTime() % 1_000_000 + "-" + SEQ.incrementAndGet();
  }

  @AfterEach
  void clearFaults() {
    sandbox().faults().clear();
  }

  private List<OutboundRecord> batch(DestinationConnector c, List<Map<String, Object>> values) throws Exception {
    List<OutboundRecord> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      out.add(c.mapFields(objectType(), keyField(), values.get(i), "t" + i));
    }
    return out;
  }

  @Test
  void describeListsTheKeyField() throws Exception {
    try (DestinationConnector c = newConnector()) {
      ObjectSchema s = c.describe(objectType());
      Optional<ObjectSchema.Field> key = s.field(keyField());
      assertThat(key.isPresent() || s.openEnded()).as("key field %s in %s", keyField(), s.fields()).isTrue();
    }
  }

  @Test
  void aBatchWithOneBadRecordWritesTheOthersAndReportsThatOne() throws Exception {
    List<String> keys = List.of(newKey(), newKey(), newKey(), newKey());
    try (DestinationConnector c = newConnector()) {
      List<OutboundRecord> records = batch(c, List.of(goodRecord(keys.get(0)), goodRecord(keys.get(1)), badRecord(keys.get(2)),
          goodRecord(keys.get(3))));
      WriteResult r = c.uploadBatch(objectType(), records, "contract-" + keys.get(0));
      assertThat(r.results()).hasSize(4);
      assertThat(r.results()).extracting(WriteResult.RecordResult::traceId).containsExactly("t0", "t1", "t2", "t3");
      assertThat(r.results().get(2).ok()).isFalse();
      assertThat(r.results().get(2).errorKind()).isEqualTo(ConnectorException.Kind.PERMANENT_RECORD);
      assertThat(r.results().get(2).error()).isNotBlank();
      for (int i : new int[] {0, 1, 3}) {
        assertThat(r.results().get(i).ok()).as("record %d: %s", i, r.results().get(i)).isTrue();
        assertThat(storedCount(keys.get(i))).as("record %d stored", i).isEqualTo(1);
      }
      assertThat(storedCount(keys.get(2))).isZero();
      assertThat(r.failures()).isEqualTo(1);
    }
  }

  @Test
  void deletedRecordsAreGoneOthersStayAndDeletingAgainHasOneEffect() throws Exception {
    try (DestinationConnector c = newConnector()) {
      if (!deletes()) {
        assertThatThrownBy(() -> c.deleteBatch(objectType(), List.of("any")))
            .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.kind()).isEqualTo(ConnectorException.Kind.PERMANENT_BATCH));
        return;
      }
      List<String> keys = List.of(newKey(), newKey(), newKey());
      WriteResult up = c.uploadBatch(objectType(), batch(c, keys.stream().map(this::goodRecord).toList()), "contract-del-" + keys.get(0));
      assertThat(up.failures()).as("%s", up.results()).isZero();
      List<String> ids = up.results().stream().map(WriteResult.RecordResult::externalId).toList();
      assertThat(ids).doesNotContainNull();

      WriteResult deleted = c.deleteBatch(objectType(), List.of(ids.get(2), ids.get(0)));
      assertThat(deleted.results()).as("one result per id, in input order").hasSize(2);
      assertThat(deleted.results()).allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(WriteResult.Status.DELETED));
      assertThat(goneOnPlatform(ids.get(0))).as("first record gone").isTrue();
      assertThat(goneOnPlatform(ids.get(2))).as("third record gone").isTrue();
      assertThat(goneOnPlatform(ids.get(1))).as("the record not named stays").isFalse();
      assertThat(storedCount(keys.get(1))).isEqualTo(1);

      // the same call again (a retried batch): the records are already gone, which counts as deleted
      WriteResult again = c.deleteBatch(objectType(), List.of(ids.get(2), ids.get(0)));
      assertThat(again.results()).allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(WriteResult.Status.DELETED));
      assertThat(goneOnPlatform(ids.get(1))).isFalse();
    }
  }

  @Test
  void aBatchUploadedTwiceHasOneEffect() throws Exception {
    List<String> keys = List.of(newKey(), newKey(), newKey());
    try (DestinationConnector c = newConnector()) {
      List<OutboundRecord> records = batch(c, keys.stream().map(this::goodRecord).toList());
      String key = "contract-retry-" + keys.get(0);
      assertThat(c.uploadBatch(objectType(), records, key).failures()).isZero();
      WriteResult again = c.uploadBatch(objectType(), batch(c, keys.stream().map(this::goodRecord).toList()), key);
      assertThat(again.failures()).isZero();
      for (String k : keys) {
        assertThat(storedCount(k)).as("records under %s", k).isEqualTo(1);
      }
    }
  }

  @Test
  void theRateLimitAnswerIsSnoozedForThePlatformsWaitThenTheBatchGoesThrough() throws Exception {
    String k = newKey();
    try (DestinationConnector c = newConnector()) {
      List<OutboundRecord> records = batch(c, List.of(goodRecord(k)));
      sandbox().faults().add(FaultRule.tooManyRequests(1.0).onPath(writePath()).times(1));
      assertThatThrownBy(() -> c.uploadBatch(objectType(), records, "contract-429-" + k))
          .isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(expectedRateLimitWait());
            ErrorAction a = c.handleError(e, 1);
            assertThat(a.decision()).isEqualTo(ErrorAction.Decision.SNOOZE);
            assertThat(a.delay()).isEqualTo(expectedRateLimitWait());
          });
      assertThat(storedCount(k)).isZero();
      // The job comes back after the wait. A connector may hold every worker back for that long
      // (HubSpot empties the shared bucket after a 429): until then the retry is RATE_LIMITED too.
      WriteResult[] after = new WriteResult[1];
      org.awaitility.Awaitility.await().atMost(expectedRateLimitWait().plusSeconds(20)).pollInterval(java.time.Duration.ofMillis(100))
          .until(() -> {
            try {
              after[0] = c.uploadBatch(objectType(), records, "contract-429-" + k);
              return true;
            } catch (ConnectorException e) {
              assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
              assertThat(e.retryAfter()).isLessThanOrEqualTo(expectedRateLimitWait());
              return false;
            }
          });
      assertThat(after[0].failures()).isZero();
      assertThat(storedCount(k)).isEqualTo(1);
    }
  }

  @Test
  void aServerErrorIsRetriedThenTheBatchGoesThrough() throws Exception {
    String k = newKey();
    try (DestinationConnector c = newConnector()) {
      List<OutboundRecord> records = batch(c, List.of(goodRecord(k)));
      sandbox().faults().add(FaultRule.serverError(503, 1.0).onPath(writePath()).times(1));
      assertThatThrownBy(() -> c.uploadBatch(objectType(), records, "contract-5xx-" + k))
          .isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RETRYABLE);
            assertThat(c.handleError(e, 1).decision()).isEqualTo(ErrorAction.Decision.RETRY);
          });
      assertThat(c.uploadBatch(objectType(), records, "contract-5xx-" + k).failures()).isZero();
      assertThat(storedCount(k)).isEqualTo(1);
    }
  }

  @Test
  void rejectedCredentialsAreAClearAuthErrorThatStops() throws Exception {
    String k = newKey();
    List<OutboundRecord> records;
    try (DestinationConnector good = newConnector()) {
      records = batch(good, List.of(goodRecord(k)));
    }
    try (DestinationConnector c = newConnectorWithBadCredentials()) {
      assertThatThrownBy(() -> c.uploadBatch(objectType(), records, null)).isInstanceOfSatisfying(ConnectorException.class, e -> {
        assertThat(e.kind()).isEqualTo(ConnectorException.Kind.AUTH);
        assertThat(e.getMessage()).contains(c.connection());
        assertThat(c.handleError(e, 1).decision()).isEqualTo(ErrorAction.Decision.STOP);
      });
    }
    assertThat(storedCount(k)).isZero();
  }
}
