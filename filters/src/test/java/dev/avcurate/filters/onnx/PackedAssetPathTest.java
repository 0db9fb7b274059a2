package dev.avcurate.filters.onnx;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Registry sources that cut a model out of an emscripten packed .data bundle by byte offsets. */
class PackedAssetPathTest {
    @Test
    void byteRangesParse() {
        assertEquals(new ModelFetcher.PackagePath("hands_solution_packed_assets.data", 11, 2341291),
                ModelFetcher.PackagePath.parse("hands_solution_packed_assets.data[11:2341291]"));
        assertEquals(new ModelFetcher.PackagePath("dist/a.onnx", -1, -1), ModelFetcher.PackagePath.parse("dist/a.onnx"));
    }

    @Test
    void everyMediaPipeModelInTheRegistryIsAPackageFileOrAByteRangeOfOne() {
        ModelRegistry reg = ModelRegistry.load(java.nio.file.Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/models.yaml"));
        for (String m : java.util.List.of("mp_pose_detection", "mp_palm_detection_full", "mp_face_landmark")) {
            String path = reg.get(m).source().split(":", 3)[2];
            assertTrue(ModelFetcher.PackagePath.parse(path).start() >= 0, m + " is cut from the packed assets: " + path);
        }
        assertEquals(-1, ModelFetcher.PackagePath.parse(reg.get("mp_pose_landmark_full").source().split(":", 3)[2]).start());
    }
}
