package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelRegistry.checkInterface accepts exports with the papers' interfaces and names what is wrong in others. */
class PoseExportChecksTest {
    @TempDir
    Path dir;

    @Test
    void generatedExportsPass() {
        assertEquals(List.of(), ModelRegistry.checkInterface(YoloxPersonDetector.SPEC, PoseModels.yolox(dir.resolve("y.onnx"), "images", 1)));
        assertEquals(List.of(), ModelRegistry.checkInterface(RtmPose.SPEC, PoseModels.rtmpose(dir.resolve("r.onnx"), "input", 256, 192, 17)));
        assertEquals(List.of(), ModelRegistry.checkInterface(RtmPose.SPEC, PoseModels.rtmpose(dir.resolve("w.onnx"), "input", 384, 288, 133)));
        assertEquals(List.of(), ModelRegistry.checkInterface(VitPose.SPEC, PoseModels.vitpose(dir.resolve("v.onnx"), 256, 192)));
    }

    @Test
    void wrongInputNameIsNamed() {
        Path f = PoseModels.yolox(dir.resolve("end2end.onnx"), "input", 1); // mmdeploy's name, not YOLOX's export
        List<String> p = ModelRegistry.checkInterface(YoloxPersonDetector.SPEC, f);
        assertEquals(List.of("yolox: " + f + ": input 'images' missing; the model has [input]"), p);
        Path r = PoseModels.rtmpose(dir.resolve("r.onnx"), "image", 256, 192, 17);
        assertEquals(List.of("rtmpose: " + r + ": input 'input' missing; the model has [image]"), ModelRegistry.checkInterface(RtmPose.SPEC, r));
    }

    @Test
    void wrongInputShapeNamesBothShapes() {
        Path f = PoseModels.vitpose(dir.resolve("v384.onnx"), 384, 288);
        List<String> p = ModelRegistry.checkInterface(VitPose.SPEC, f);
        assertEquals(List.of("vitpose: " + f + ": input 'input' has shape [-1, 3, 384, 288], expected [-1, 3, 256, 192]",
                "vitpose: " + f + ": output 'output' has shape [-1, 17, 96, 72], expected [-1, 17, 64, 48]"), p);
    }
}
