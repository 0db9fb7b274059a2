package dev.avcurate.core.stage;

import static org.junit.jupiter.api.Assertions.*;

import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.TaskResourceProfile;
import org.junit.jupiter.api.Test;

/** GPU stages get a stage-level profile with their GPU share; CPU stages use the default one. */
class ResourcesTest {
    @Test
    void gpuStagesRequestTheirShareAndCpuStagesNothing() {
        assertNull(Resources.cpu(2).profile(false));
        ResourceProfile p = Resources.gpu(1, 0.125).profile(false);
        assertInstanceOf(TaskResourceProfile.class, p, "without dynamic allocation: task requirements only");
        assertEquals(0.125, p.taskResources().get("gpu").get().amount());
        assertEquals(1.0, p.taskResources().get("cpus").get().amount());
        ResourceProfile d = Resources.gpu(1, 0.25).profile(true);
        assertFalse(d instanceof TaskResourceProfile, "with dynamic allocation: executors with a GPU are requested too");
        assertEquals(1L, d.executorResources().get("gpu").get().amount());
    }
}
