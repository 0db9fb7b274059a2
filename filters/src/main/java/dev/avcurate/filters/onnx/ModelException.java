package dev.avcurate.filters.onnx;

/** A model file is missing, corrupt, or not the model the operator expects. The message names the file. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
