package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static Map<RecipientStatus, Integer> counts(RecipientStatus... present) {
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        for (RecipientStatus s : present) counts.merge(s, 1, Integer::sum);
        return counts;
    }

    @Test
    void anythingStillDueIsUnfinishedAndAnyProblemOfAFinishedJobExits1() {
        assertEquals(Verdict.SENT, Verdict.of(counts(RecipientStatus.SENT)));
        assertEquals(Verdict.SENT, Verdict.of(counts()), "an empty job has nothing left to do");
        for (RecipientStatus problem : new RecipientStatus[] {RecipientStatus.FAILED, RecipientStatus.SKIPPED, RecipientStatus.UNKNOWN, RecipientStatus.PARTIAL}) {
            assertEquals(Verdict.PROBLEMS, Verdict.of(counts(RecipientStatus.SENT, problem)), problem.label());
            assertEquals(Verdict.UNFINISHED, Verdict.of(counts(problem, RecipientStatus.DEFERRED)), problem.label());
        }
        assertEquals(Verdict.UNFINISHED, Verdict.of(counts(RecipientStatus.SENT, RecipientStatus.PENDING)));
        assertEquals(75, Verdict.UNFINISHED.exitCode());
        assertEquals(1, Verdict.rehearsal(1).exitCode());
        assertEquals(0, Verdict.rehearsal(0).exitCode());
    }
}
