import Foundation

/// Calibration samples in the model's declared input layout, stacked on a leading axis.
public enum CalibrationSet {
    /// Loads `path`: a `.npy` batch `[N, …model input without batch…]`, an IDX image file
    /// (`[N, H, W]` bytes; scaled to [0,1] then `(x − mean)/std`), or a folder of images
    /// (decoded, resized, normalised like `octet run`). `limit` keeps the first samples.
    public static func load(path: String, inputShape: [Int], mean: [Float], std: [Float], limit: Int? = nil) throws -> Tensor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConvertError.io("calibration data '\(path)' does not exist")
        }
        let perSample = Array(inputShape.dropFirst())
        var samples: Tensor
        if isDirectory.boolValue {
            let files = try FileManager.default.contentsOfDirectory(atPath: path).sorted().filter { name in
                ["png", "jpg", "jpeg", "bmp", "gif", "pgm", "ppm", "tga"].contains((name as NSString).pathExtension.lowercased())
            }
            let chosen = limit.map { Array(files.prefix($0)) } ?? files
            var data: [Float] = []
            for file in chosen {
                data += try ImageInput.load(path: (path as NSString).appendingPathComponent(file), inputShape: inputShape, mean: mean, std: std).data
            }
            samples = Tensor(shape: [chosen.count] + perSample, data: data)
        } else if path.hasSuffix(".npy") {
            samples = try NumpyFile.read(path: path)
            guard samples.shape.count == inputShape.count, Array(samples.shape.dropFirst()) == perSample else {
                throw ConvertError.invalidInput("calibration data '\(path)' has shape \(samples.shape); the model input needs [N, \(perSample.map(String.init).joined(separator: ", "))]")
            }
        } else {
            let images = try IDXFile.read(path: path)
            guard images.shape.count == 3 else { throw ConvertError.invalidInput("IDX calibration file '\(path)' has shape \(images.shape), expected [N, H, W] images") }
            let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
            guard perSample.reduce(1, *) == h * w, perSample.contains(h), perSample.contains(w) else {
                throw ConvertError.invalidInput("IDX images are \(h)×\(w); the model input is \(inputShape)")
            }
            guard mean.count == 1, std.count == 1, std[0] != 0 else { throw ConvertError.invalidInput("IDX images are single-channel: give one --mean and one --std") }
            let data = images.data.map { ($0 / 255 - mean[0]) / std[0] }
            samples = Tensor(shape: [n] + perSample, data: data)
        }
        if let limit, samples.shape[0] > limit {
            let per = perSample.reduce(1, *)
            samples = Tensor(shape: [limit] + perSample, data: Array(samples.data[0..<(limit * per)]))
        }
        guard samples.shape[0] > 0 else { throw ConvertError.invalidInput("calibration data '\(path)' holds no samples") }
        guard samples.data.allSatisfy(\.isFinite) else { throw ConvertError.invalidInput("calibration data '\(path)' contains NaN or infinity") }
        return samples
    }
}
