package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures to record one outcome make its job dead, and which keep it pending for a retry. */
class OutcomeErrorTest {
  @Test
  void connectionAndShutdownErrorsKeepTheOutcomePending() {
    for (String state : new String[] {"08006", "08003", "57P01", "57P03", "53300", "40001", "40P01", "55P03"}) {
      assertThat(OutcomeRecorder.isDataError(new SQLException("db restarting", state))).as(state).isFalse();
    }
    assertThat(OutcomeRecorder.isDataError(new SQLException("I/O error, no state"))).isFalse();
    assertThat(OutcomeRecorder.isDataError(new SQLTransientConnectionException("pool timeout"))).isFalse();
    assertThat(OutcomeRecorder.isDataError(new RuntimeException("wrapped", new SQLException("gone", "08006")))).isFalse();
  }

  @Test
  void dataErrorsMakeTheJobDead() {
    for (String state : new String[] {"22001", "22P02", "23505", "23514", "XX000"}) {
      assertThat(OutcomeRecorder.isDataError(new SQLException("bad row", state))).as(state).isTrue();
    }
    assertThat(OutcomeRecorder.isDataError(new IllegalStateException("bug in this outcome"))).isTrue();
  }
}
