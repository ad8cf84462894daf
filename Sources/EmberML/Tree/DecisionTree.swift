import EmberCore
import Foundation

/// A split of a tree node (Spark's `ContinuousSplit` / `CategoricalSplit`).
public enum TreeSplit: Equatable {
    /// Left when `features[feature] <= threshold`.
    case continuous(feature: Int, threshold: Double)
    /// Left when `features[feature]` is one of `leftCategories` (sorted).
    case categorical(feature: Int, leftCategories: [Double], numCategories: Int)

    public var featureIndex: Int {
        switch self {
        case .continuous(let f, _): return f
        case .categorical(let f, _, _): return f
        }
    }

    /// Whether a row with feature value `x` goes to the left child.
    @inlinable
    public func goesLeft(_ x: Double) -> Bool {
        switch self {
        case .continuous(_, let t): return x <= t
        case .categorical(_, let cats, _): return cats.contains(x)
        }
    }

    /// Spark's `InternalNode.splitToString`.
    func describe(left: Bool) -> String {
        switch self {
        case .continuous(let f, let t):
            return "feature \(f) \(left ? "<=" : ">") \(NumberFormat.javaDouble(t))"
        case .categorical(let f, let cats, _):
            let s = "{" + cats.map(NumberFormat.javaDouble).joined(separator: ",") + "}"
            return "feature \(f) \(left ? "in" : "not in") \(s)"
        }
    }
}

/// One node of a fitted tree (Spark's `LeafNode` / `InternalNode`).
public struct TreeNode: Equatable {
    /// The node's prediction: the majority class or the mean label.
    public var prediction: Double
    public var impurity: Double
    /// The information gain of the split (internal nodes; -1 for leaves).
    public var gain: Double
    /// The impurity statistics: class weights (classification) or weight, weighted sum and
    /// weighted sum of squares of labels (regression).
    public var stats: [Double]
    /// Number of (bagged) training rows in the node.
    public var rawCount: Int
    /// Total weight of the node (`impurityStats.count` in Spark).
    public var weight: Double
    public var split: TreeSplit?
    /// Child node indices (-1 for leaves).
    public var left: Int = -1
    public var right: Int = -1

    public var isLeaf: Bool { split == nil }
}

/// A fitted decision tree: nodes in preorder, the root at index 0.
public struct DecisionTree: Equatable {
    public var nodes: [TreeNode]

    public init(nodes: [TreeNode]) { self.nodes = nodes }

    public var numNodes: Int { nodes.count }

    /// Depth of the tree (0 for a single leaf).
    public var depth: Int {
        guard !nodes.isEmpty else { return 0 }
        var best = 0
        var stack: [(Int, Int)] = [(0, 0)]
        while let (i, d) = stack.popLast() {
            best = max(best, d)
            let n = nodes[i]
            if n.split != nil, n.left >= 0, n.right >= 0 { stack.append((n.right, d + 1)); stack.append((n.left, d + 1)) }
        }
        return best
    }

    /// The index of the leaf that dense `features` reach.
    @inlinable
    public func leaf(_ features: UnsafeBufferPointer<Double>) -> Int {
        var i = 0
        while true {
            let n = nodes[i]
            guard let s = n.split, n.left >= 0 else { return i }
            let f = s.featureIndex
            let x = f < features.count ? features[f] : 0
            i = s.goesLeft(x) ? n.left : n.right
        }
    }

    public func predict(_ features: UnsafeBufferPointer<Double>) -> Double { nodes[leaf(features)].prediction }

    /// Spark's `LearningNode.toNode(prune = true)`: an internal node whose children are
    /// leaves with equal predictions becomes a leaf (keeping its own stats), bottom-up.
    public func pruned() -> DecisionTree {
        guard !nodes.isEmpty else { return self }
        var out: [TreeNode] = []
        out.reserveCapacity(nodes.count)
        func build(_ i: Int) -> Int {
            let at = out.count
            var n = nodes[i]
            out.append(n)
            guard n.split != nil else { return at }
            let l = build(n.left)
            let r = build(n.right)
            if out[l].split == nil && out[r].split == nil && out[l].prediction == out[r].prediction {
                out.removeSubrange((at + 1)...)
                n.split = nil
                n.left = -1
                n.right = -1
                n.gain = -1
                n.prediction = out[at].prediction
                out[at] = n
            } else {
                out[at].left = l
                out[at].right = r
            }
            return at
        }
        _ = build(0)
        return DecisionTree(nodes: out)
    }

    /// Spark's `Node.subtreeToString(indentFactor)`.
    public func subtreeToString(_ indent: Int) -> String {
        var out = ""
        func walk(_ i: Int, _ k: Int) {
            let prefix = String(repeating: " ", count: k)
            let n = nodes[i]
            if let s = n.split {
                out += prefix + "If (" + s.describe(left: true) + ")\n"
                walk(n.left, k + 1)
                out += prefix + "Else (" + s.describe(left: false) + ")\n"
                walk(n.right, k + 1)
            } else {
                out += prefix + "Predict: " + NumberFormat.javaDouble(n.prediction) + "\n"
            }
        }
        if !nodes.isEmpty { walk(0, indent) }
        return out
    }

    /// Adds gain × node weight per split feature (Spark's `computeFeatureImportance`).
    func addImportances(_ into: inout [Int: Double]) {
        for n in nodes {
            if let s = n.split { into[s.featureIndex, default: 0] += n.gain * n.weight }
        }
    }

    /// Checks that child indices are in range and the tree is acyclic (loaded trees).
    func isWellFormed() -> Bool {
        guard !nodes.isEmpty else { return false }
        var seen = [Bool](repeating: false, count: nodes.count)
        var stack = [0]
        while let i = stack.popLast() {
            guard i >= 0, i < nodes.count, !seen[i] else { return false }
            seen[i] = true
            if nodes[i].split != nil { stack.append(nodes[i].left); stack.append(nodes[i].right) }
        }
        return true
    }
}

/// Spark's `TreeEnsembleModel.featureImportances`: per tree gain × weight summed by
/// feature, normalized per tree (unless `perTreeNormalization` is false), summed over
/// trees and normalized to sum 1; a sparse vector.
func treeFeatureImportances(_ trees: [DecisionTree], numFeatures: Int, perTreeNormalization: Bool = true) -> Vector {
    var total: [Int: Double] = [:]
    for t in trees {
        var imp: [Int: Double] = [:]
        t.addImportances(&imp)
        let norm = perTreeNormalization ? imp.keys.sorted().reduce(0) { $0 + (imp[$1] ?? 0) } : 1.0
        if norm != 0 {
            for (k, v) in imp { total[k, default: 0] += v / norm }
        }
    }
    let keys = total.keys.sorted()
    let sum = keys.reduce(0) { $0 + (total[$1] ?? 0) }
    let values = keys.map { sum != 0 ? (total[$0] ?? 0) / sum : (total[$0] ?? 0) }
    return .sparse(SparseVector(unchecked: numFeatures, indices: keys, values: values))
}
