/// Builds the grid of param maps a tuner tries (Spark's `ParamGridBuilder`).
public final class ParamGridBuilder {
    private var base = ParamMap()
    private var grid: [(key: ParamKey, values: [ParamValue])] = []

    public init() {}

    /// Tries each of `values` for `param`.
    @discardableResult
    public func addGrid<T>(_ param: Param<T>, _ values: [T]) -> ParamGridBuilder {
        let key = ParamKey(parent: param.parent, name: param.name)
        grid.removeAll { $0.key == key }
        grid.append((key, values.map(\.paramValue)))
        return self
    }

    /// Both values of a boolean param.
    @discardableResult
    public func addGrid(_ param: Param<Bool>) -> ParamGridBuilder { addGrid(param, [true, false]) }

    /// A fixed value in every map.
    @discardableResult
    public func baseOn<T>(_ param: Param<T>, _ value: T) -> ParamGridBuilder {
        base.set(param, value)
        return self
    }

    /// Every combination: the first param added varies fastest.
    public func build() -> [ParamMap] {
        var maps = [base]
        for (key, values) in grid {
            var next: [ParamMap] = []
            for v in values {
                for m in maps {
                    var c = m
                    c.values[key] = v
                    next.append(c)
                }
            }
            maps = next
        }
        return maps
    }
}
