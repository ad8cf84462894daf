import EmberCore

/// Errors of the ML library, as Spark's `IllegalArgumentException`s: each names the stage
/// (its uid) and the param or column at fault.
public enum MLError {
    public static func invalidVector(_ message: String) -> EmberError {
        EmberError(errorClass: "ML_INVALID_VECTOR", sqlState: "22023", message: message)
    }

    /// A param value that fails its validator, or a param the stage does not have.
    public static func invalidParam(_ stage: String, _ param: String, _ message: String) -> EmberError {
        EmberError(errorClass: "ML_INVALID_PARAM", sqlState: "22023", message: "\(stage) parameter \(param) \(message)")
    }

    /// A column that is missing or of the wrong type.
    public static func invalidColumn(_ stage: String, _ message: String) -> EmberError {
        EmberError(errorClass: "ML_INVALID_COLUMN", sqlState: "42703", message: "\(stage): \(message)")
    }

    /// Bad data met while fitting or transforming (NULLs, NaN, unseen labels…).
    public static func invalidData(_ stage: String, _ message: String) -> EmberError {
        EmberError(errorClass: "ML_INVALID_DATA", sqlState: "22023", message: "\(stage): \(message)")
    }

    /// A saved stage that cannot be loaded.
    public static func invalidModelDirectory(_ path: String, _ message: String) -> EmberError {
        EmberError(errorClass: "ML_INVALID_MODEL_DIRECTORY", sqlState: "42K03", message: "Cannot load ML stage from \(path): \(message)")
    }
}
