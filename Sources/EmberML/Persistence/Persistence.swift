import Ember
import EmberCore
import EmberIO
import Foundation

/// The version of Ember's ML directory format, written into every metadata file.
public let mlFormatVersion = 1
/// Ember's version, as recorded in saved stages.
public let emberVersion = "0.4.0"

/// What `metadata.json` of a saved stage says.
public struct MLMetadata {
    public let className: String
    public let uid: String
    public let formatVersion: Int
    public let paramMap: [String: Any]
    public let defaultParamMap: [String: Any]
    /// The whole JSON object (stage-specific fields too).
    public let json: [String: Any]
    public let path: String
}

/// Saves a stage as a directory: `metadata.json` (class, uid, params, versions) and, for
/// models, `data/` (Parquet) or `stages/` (pipelines). The directory appears whole or not
/// at all (written beside the target, then renamed), and `overwrite()` keeps the old one
/// until the new one is complete.
public final class MLWriter {
    let stage: PipelineStage
    var overwriteExisting = false

    init(_ stage: PipelineStage) { self.stage = stage }

    /// Replace an existing directory.
    public func overwrite() -> MLWriter {
        overwriteExisting = true
        return self
    }

    public func save(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) && !overwriteExisting {
            throw EmberError(errorClass: "PATH_ALREADY_EXISTS", sqlState: "42K04",
                             message: "Path \(path) already exists. To overwrite it, please use write.overwrite().save(path).")
        }
        guard let job = try FileCommit.begin(target: path, mode: overwriteExisting ? .overwrite : .errorIfExists) else { return }
        do {
            try MLWriter.write(stage, into: job.staging)
            try job.commit()
        } catch {
            job.abort()
            throw error
        }
    }

    /// Writes `stage` into the existing directory `dir`.
    static func write(_ stage: PipelineStage, into dir: String) throws {
        var meta: [String: Any] = [
            "class": type(of: stage).sparkClassName,
            "uid": stage.uid,
            "formatVersion": mlFormatVersion,
            "emberVersion": emberVersion,
            "timestamp": Int(Date().timeIntervalSince1970 * 1000),
            "paramMap": stage.paramMapJSON,
            "defaultParamMap": stage.defaultParamMapJSON,
        ]
        if let m = stage as? Model, let p = m.parentUID { meta["parentUid"] = p }
        for (k, v) in stage.extraMetadata() { meta[k] = v }
        let data = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .prettyPrinted])
        guard FileManager.default.createFile(atPath: dir + "/metadata.json", contents: data) else {
            throw EmberError.io("Cannot write \(dir)/metadata.json")
        }
        try stage.saveData(to: dir, session: try MLSession.shared())
    }

    /// Writes each stage into `dir/stages/NN_uid` (as Spark lays out pipelines).
    static func saveStages(_ stages: [PipelineStage], in dir: String) throws {
        let root = dir + "/stages"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let width = max(2, String(stages.count).count)
        for (i, s) in stages.enumerated() {
            let n = String(i)
            let sub = root + "/" + String(repeating: "0", count: max(0, width - n.count)) + n + "_" + s.uid
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            try write(s, into: sub)
        }
    }
}

/// Loads saved stages.
public enum MLReader {
    /// Loads the stage saved in `path`, whatever its class.
    public static func load(_ path: String) throws -> PipelineStage {
        let meta = try metadata(path)
        guard let type = MLRegistry.stageType(meta.className) else {
            throw MLError.invalidModelDirectory(path, "unknown stage class \(meta.className)")
        }
        let stage = type.init(uid: meta.uid)
        for (k, v) in meta.paramMap.sorted(by: { $0.key < $1.key }) {
            do { try stage.set(name: k, json: v) } catch {
                throw MLError.invalidModelDirectory(path, "param \(k): \(error)")
            }
        }
        if let m = stage as? Model { m.parentUID = meta.json["parentUid"] as? String }
        try stage.loadData(from: path, metadata: meta, session: try MLSession.shared())
        return stage
    }

    /// Reads and checks `path/metadata.json`.
    public static func metadata(_ path: String) throws -> MLMetadata {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw MLError.invalidModelDirectory(path, "the path does not exist")
        }
        guard isDir.boolValue else { throw MLError.invalidModelDirectory(path, "it is not a directory") }
        guard let data = FileManager.default.contents(atPath: path + "/metadata.json") else {
            throw MLError.invalidModelDirectory(path, "metadata.json is missing (not a saved Ember ML stage)")
        }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw MLError.invalidModelDirectory(path, "metadata.json is not valid JSON")
        }
        guard let json = obj as? [String: Any], let cls = json["class"] as? String, let uid = json["uid"] as? String else {
            throw MLError.invalidModelDirectory(path, "metadata.json lacks class or uid")
        }
        guard let version = json["formatVersion"] as? Int else {
            throw MLError.invalidModelDirectory(path, "metadata.json lacks formatVersion (not written by Ember)")
        }
        guard version <= mlFormatVersion else {
            throw MLError.invalidModelDirectory(path, "format version \(version) is newer than this Ember reads (\(mlFormatVersion))")
        }
        return MLMetadata(className: cls, uid: uid, formatVersion: version, paramMap: json["paramMap"] as? [String: Any] ?? [:],
                          defaultParamMap: json["defaultParamMap"] as? [String: Any] ?? [:], json: json, path: path)
    }

    /// Loads `dir/stages/*` in order, checking them against the metadata's `stageUids`.
    static func loadStages(in dir: String, metadata: MLMetadata) throws -> [PipelineStage] {
        guard let uids = metadata.json["stageUids"] as? [String] else {
            throw MLError.invalidModelDirectory(dir, "metadata.json lacks stageUids")
        }
        let root = dir + "/stages"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var out: [PipelineStage] = []
        for (i, uid) in uids.enumerated() {
            guard let name = names.first(where: { n in
                guard let us = n.firstIndex(of: "_") else { return false }
                return Int(n[..<us]) == i && n[n.index(after: us)...] == uid
            }) else {
                throw MLError.invalidModelDirectory(dir, "stage \(i) (\(uid)) is missing")
            }
            out.append(try load(root + "/" + name))
        }
        return out
    }
}

/// The session ML persistence reads and writes model data with.
public enum MLSession {
    nonisolated(unsafe) private static var session: Session? = nil
    private static let lock = NSLock()

    public static func shared() throws -> Session {
        lock.lock()
        defer { lock.unlock() }
        if let s = session { return s }
        let s = try Session.local()
        session = s
        return s
    }
}

/// Stage classes by name, for loading and for `ember ml` specs.
public enum MLRegistry {
    nonisolated(unsafe) private static var extra: [String: PipelineStage.Type] = [:]
    private static let lock = NSLock()

    /// The classes Ember ships.
    static let builtin: [PipelineStage.Type] = builtinStages

    /// Adds a class (a user's own stage) so that saved instances can be loaded.
    public static func register(_ t: PipelineStage.Type) {
        lock.lock(); extra[t.className] = t; lock.unlock()
    }

    /// The class for a short (`LogisticRegression`) or full
    /// (`org.apache.spark.ml.classification.LogisticRegression`) name.
    public static func stageType(_ name: String) -> PipelineStage.Type? {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        lock.lock(); defer { lock.unlock() }
        if let t = extra[short] { return t }
        return builtin.first { $0.className == short }
    }

    public static var classNames: [String] { builtin.map { $0.className }.sorted() }
}
