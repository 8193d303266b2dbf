/// Resize (opsets 10–19) and Upsample import: only H and W of an NCHW tensor may change.
extension ImportContext {
    mutating func importResize(_ node: ONNXNode) throws -> [Operand] {
        let x = try input(node, 0)
        let xs = shape(x)
        let a = node.attributes
        guard xs.count == 4 else { throw node.unsupported("resize of a rank-\(xs.count) tensor; only NCHW is implemented") }
        let modeName = try a.string("mode", default: "nearest")
        guard let mode = ResizeParams.Mode(rawValue: modeName == "bilinear" ? "linear" : modeName) else {
            throw node.unsupported("mode '\(modeName)'")
        }
        let legacy = node.opType == "Upsample" || node.opset < 11
        var transform = ResizeParams.CoordinateTransform.asymmetric
        var nearest = ResizeParams.NearestRounding.roundPreferFloor
        if legacy {
            nearest = .legacySimple
        } else {
            let t = try a.string("coordinate_transformation_mode", default: "half_pixel")
            guard let parsed = ResizeParams.CoordinateTransform(rawValue: t) else {
                throw node.unsupported("coordinate_transformation_mode '\(t)'")
            }
            transform = parsed
            let n = try a.string("nearest_mode", default: "round_prefer_floor")
            guard let parsedNearest = ResizeParams.NearestRounding(rawValue: n) else { throw node.unsupported("nearest_mode '\(n)'") }
            nearest = parsedNearest
            if try a.int("antialias", default: 0) != 0 { throw node.unsupported("antialias=1") }
            let policy = try a.string("keep_aspect_ratio_policy", default: "stretch")
            guard policy == "stretch" else { throw node.unsupported("keep_aspect_ratio_policy '\(policy)'") }
        }
        // scales and sizes, over all axes or the listed `axes` (opset 18).
        var scales: [Float]? = nil, sizes: [Int]? = nil
        if node.opType == "Upsample" && node.opset < 9 {
            scales = try a.floats("scales")
        } else if legacy {
            scales = try constantInput(node, 1, "scales")?.floatTensor.data
        } else {
            if let s = try constantInput(node, 2, "scales"), s.shape.reduce(1, *) > 0 { scales = s.floatTensor.data }
            if let z = try constantInput(node, 3, "sizes"), z.shape.reduce(1, *) > 0 { sizes = z.int64Values.map { Int(clamping: $0) } }
        }
        if let axesRaw = try a.ints("axes") {
            let axes = axesRaw.map { $0 < 0 ? $0 + 4 : $0 }
            guard axes.allSatisfy({ (0..<4).contains($0) }) else { throw node.invalid("axes \(axesRaw)") }
            if let s = scales {
                guard s.count == axes.count else { throw node.invalid("scales \(s) for axes \(axes)") }
                var full: [Float] = [1, 1, 1, 1]
                for (i, axis) in axes.enumerated() { full[axis] = s[i] }
                scales = full
            }
            if let z = sizes {
                guard z.count == axes.count else { throw node.invalid("sizes \(z) for axes \(axes)") }
                var full = xs
                for (i, axis) in axes.enumerated() { full[axis] = z[i] }
                sizes = full
            }
        }
        var outShape = xs
        var mapScales: [Float]
        if let sizes {
            guard sizes.count == 4, sizes.allSatisfy({ $0 > 0 }) else { throw node.invalid("sizes \(sizes)") }
            outShape = sizes
            mapScales = (0..<4).map { Float(sizes[$0]) / Float(xs[$0]) }
        } else if let scales {
            guard scales.count == 4, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw node.invalid("scales \(scales)") }
            mapScales = scales
            outShape = (0..<4).map { Int(Float(xs[$0]) * scales[$0]) }
            guard outShape.allSatisfy({ $0 > 0 }) else { throw node.invalid("scales \(scales) give output \(outShape)") }
        } else {
            throw node.invalid("neither scales nor sizes is given")
        }
        guard outShape[0] == xs[0], outShape[1] == xs[1] else {
            throw node.unsupported("resizing the batch or channel axis (\(xs) → \(outShape))")
        }
        let p = ResizeParams(mode: mode, transform: transform, nearest: nearest, scales: mapScales, outputShape: outShape)
        return try emit(node, .resize(p), inputs: [x])
    }
}
