package dev.avcurate.filters.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Device choice: CUDA when asked for and present, else the CPU with a message; one session per model and settings. */
class OnnxSessionsTest {
    @Test
    void cudaAskedForWithoutACudaProviderFallsBackToTheCpuAndSaysSo() {
        ModelSpec spec = RealModelsTest.REG.get("silero_vad");
        Path file = RealModelsTest.MODELS.resolve(spec.file());
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        OnnxSessions.Shared s;
        try {
            s = OnnxSessions.get(spec, file, "cuda", 2);
        } finally {
            System.setErr(old);
        }
        boolean cuda = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        if (cuda) {
            assertEquals("cuda:0", s.device());
        } else {
            assertEquals("cpu", s.device());
            assertTrue(buf.toString(StandardCharsets.UTF_8).contains("CUDA asked for (onnx.device=cuda)"), buf.toString(StandardCharsets.UTF_8));
        }
        assertSame(s, OnnxSessions.get(spec, file, "cuda", 2), "opened once per JVM and shared");
        assertEquals("cpu", OnnxSessions.get(spec, file, "cpu", 2).device());
    }

    @Test
    void aMissingOrCorruptModelIsAClearErrorNamingTheFile() throws Exception {
        ModelSpec spec = RealModelsTest.REG.get("blazeface");
        Path dir = java.nio.file.Files.createTempDirectory("models");
        ModelException e = assertThrows(ModelException.class, () -> OnnxSessions.get(spec, dir.resolve(spec.file()), "cpu", 1));
        assertTrue(e.getMessage().contains(dir.resolve(spec.file()).toString()), e.getMessage());
        java.nio.file.Files.createDirectories(dir.resolve(spec.file()).getParent());
        java.nio.file.Files.write(dir.resolve(spec.file()), new byte[] {0, 1, 2, 3});
        assertTrue(ModelRegistry.check(spec, dir).get(0).contains("SHA-256 is"), ModelRegistry.check(spec, dir).toString());
        assertTrue(ModelRegistry.checkInterface(spec, dir.resolve(spec.file())).get(0).contains("ONNX Runtime cannot load it"));
    }

    @Test
    void theCachedCheckSkipsAnUnchangedModelButCatchesAReplacedOne() throws Exception {
        ModelSpec spec = RealModelsTest.REG.get("silero_vad");
        Path dir = java.nio.file.Files.createTempDirectory("models");
        Path f = dir.resolve(spec.file());
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.copy(RealModelsTest.MODELS.resolve(spec.file()), f);
        assertEquals(java.util.List.of(), ModelRegistry.checkCached(spec, dir));
        Path stamp = f.resolveSibling(f.getFileName() + ".verified");
        assertTrue(java.nio.file.Files.isRegularFile(stamp), "a passing check is remembered beside the model");
        assertEquals(java.util.List.of(), ModelRegistry.checkCached(spec, dir));
        // Same size, other bytes, and the old modification time put back (as cp -p or rsync -a would): the change
        // time tells, so it is checked in full again and found out.
        java.nio.file.attribute.FileTime mtime = java.nio.file.Files.getLastModifiedTime(f);
        Thread.sleep(20);
        byte[] b = java.nio.file.Files.readAllBytes(f);
        b[b.length / 2] ^= 0x5a;
        java.nio.file.Files.write(f, b);
        java.nio.file.Files.setLastModifiedTime(f, mtime);
        java.util.List<String> problems = ModelRegistry.checkCached(spec, dir);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("SHA-256 is"), problems.toString());
        // A registry entry with another checksum for the same file is not satisfied by the old stamp either.
        java.nio.file.Files.copy(RealModelsTest.MODELS.resolve(spec.file()), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(java.util.List.of(), ModelRegistry.checkCached(spec, dir));
        ModelSpec other = new ModelSpec(spec.name(), spec.file(), "0".repeat(64), spec.source(), spec.inputs(), spec.outputs());
        assertFalse(ModelRegistry.checkCached(other, dir).isEmpty());
    }
}
