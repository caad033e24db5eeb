package io.mailroom.job;

import io.mailroom.send.Progress;

/** What a run or resume tells as it goes ({@link Progress}), and its plan as soon as that ends, while sending goes on. */
public interface RunProgress extends Progress {
    RunProgress NONE = new RunProgress() { };

    /** Job {@code job} starts sending; {@code planning}: while its CSV is still being planned. */
    default void started(String job, boolean planning) { }

    /** The plan of job {@code job}'s CSV has ended: rows read, new, already in the job. */
    default void planned(String job, Plan plan) { }
}
