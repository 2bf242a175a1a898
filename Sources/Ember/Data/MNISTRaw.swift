// Loading MNIST-style data sets (MNIST, Fashion-MNIST, KMNIST) from their IDX files.

import Foundation

/// One split of an MNIST-style data set as raw bytes: `count` grey images of `rows x cols`
/// pixels (0 = background for MNIST) and one label per image.
///
/// ```swift
/// let test = try MNISTRaw.load(directory: URL(fileURLWithPath: "datasets/mnist"), split: .test)
/// test.count      // 10000
/// test.labels[0]  // 7
/// test.image(0)   // 784 pixel bytes, row-major
/// ```
///
/// The directory must hold the data set's files under their usual names, compressed or not:
/// `train-images-idx3-ubyte(.gz)` and `train-labels-idx1-ubyte(.gz)` for the training split,
/// `t10k-images-idx3-ubyte(.gz)` and `t10k-labels-idx1-ubyte(.gz)` for the test split
/// (the `images.idx3-ubyte` spelling with a dot is accepted too).
public struct MNISTRaw: Sendable, Equatable {
    /// Which half of the data set to load.
    public enum Split: String, Sendable, CaseIterable {
        /// The training split (60,000 images for MNIST and Fashion-MNIST), files `train-*`.
        case train
        /// The test split (10,000 images), files `t10k-*`.
        case test

        /// The file-name prefix of the split: `train` or `t10k`.
        public var filePrefix: String { self == .train ? "train" : "t10k" }

        /// The base file names (without `.gz`) of the split's image and label files.
        public var fileNames: (images: String, labels: String) {
            ("\(filePrefix)-images-idx3-ubyte", "\(filePrefix)-labels-idx1-ubyte")
        }
    }

    /// Number of images (and labels).
    public let count: Int
    /// Image height in pixels (28 for MNIST).
    public let rows: Int
    /// Image width in pixels (28 for MNIST).
    public let cols: Int
    /// All pixels, image after image, each image row-major: `count * rows * cols` bytes, 0...255.
    public let images: [UInt8]
    /// One class label per image (0...9 for MNIST and Fashion-MNIST).
    public let labels: [UInt8]

    /// Creates a split from raw parts.
    /// - Throws: ``MNISTError/countMismatch(directory:images:labels:)`` or
    ///   ``MNISTError/unexpectedShape(file:shape:expected:)`` when the sizes disagree.
    public init(images: [UInt8], labels: [UInt8], rows: Int = 28, cols: Int = 28) throws {
        guard rows > 0, cols > 0, images.count % (rows * cols) == 0 else {
            throw MNISTError.unexpectedShape(file: "<memory>", shape: [images.count],
                                             expected: "a multiple of \(rows)x\(cols) bytes")
        }
        let n = images.count / (rows * cols)
        guard n == labels.count else {
            throw MNISTError.countMismatch(directory: "<memory>", images: n, labels: labels.count)
        }
        self.count = n
        self.rows = rows
        self.cols = cols
        self.images = images
        self.labels = labels
    }

    /// The pixels of image `index` (`rows * cols` bytes, row-major).
    /// - Precondition: `0 <= index < count`.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "MNISTRaw.image: index \(index) out of range 0..<\(count)")
        let size = rows * cols
        return images[index * size..<(index + 1) * size]
    }

    /// All pixels as floats, `(byte / 255 - mean) / std`: torchvision's `ToTensor()` followed by
    /// `Normalize((mean,), (std,))`. The defaults give values in [0, 1]; MNIST's usual
    /// statistics are `mean: 0.1307, std: 0.3081`, and `mean: 0.5, std: 0.5` maps to [-1, 1]
    /// (the range of a tanh generator).
    /// - Precondition: `std != 0`.
    public func normalizedImages(mean: Float = 0, std: Float = 1) -> [Float] {
        precondition(std != 0, "MNISTRaw.normalizedImages: std must not be 0")
        return images.map { (Float($0) / 255 - mean) / std }
    }

    /// Loads one split from `directory`.
    ///
    /// Checks that both files exist and are well-formed IDX files, that the images are
    /// `rows x cols` (28x28 unless `expectedImageSize` says otherwise; `nil` accepts any size),
    /// and that there are as many labels as images.
    /// - Throws: ``MNISTError`` naming the directory or file and the problem.
    public static func load(directory: URL, split: Split,
                            expectedImageSize: (rows: Int, cols: Int)? = (28, 28)) throws -> MNISTRaw {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw MNISTError.directoryNotFound(path: directory.path)
        }
        let names = split.fileNames
        let imageURL = try locate(names.images, in: directory)
        let labelURL = try locate(names.labels, in: directory)

        let imageArray: IDXArray
        let labelArray: IDXArray
        do {
            imageArray = try IDXFile.read(imageURL)
            labelArray = try IDXFile.read(labelURL)
        } catch let error as IDXError {
            throw MNISTError.badFile(error)
        }
        guard imageArray.dataType == .uint8, imageArray.shape.count == 3 else {
            throw MNISTError.unexpectedShape(file: imageURL.path, shape: imageArray.shape,
                                             expected: "unsigned bytes of shape [count, rows, cols]")
        }
        if let size = expectedImageSize, imageArray.shape[1] != size.rows || imageArray.shape[2] != size.cols {
            throw MNISTError.unexpectedShape(file: imageURL.path, shape: imageArray.shape,
                                             expected: "[count, \(size.rows), \(size.cols)]")
        }
        guard labelArray.dataType == .uint8, labelArray.shape.count == 1 else {
            throw MNISTError.unexpectedShape(file: labelURL.path, shape: labelArray.shape,
                                             expected: "unsigned bytes of shape [count]")
        }
        guard imageArray.shape[0] == labelArray.shape[0] else {
            throw MNISTError.countMismatch(directory: directory.path, images: imageArray.shape[0],
                                           labels: labelArray.shape[0])
        }
        return try MNISTRaw(images: imageArray.bytes, labels: labelArray.bytes,
                            rows: imageArray.shape[1], cols: imageArray.shape[2])
    }

    /// Finds `baseName`, `baseName.gz` or the dotted spelling (`...-images.idx3-ubyte`) in `directory`.
    static func locate(_ baseName: String, in directory: URL) throws -> URL {
        let dotted = baseName.replacingOccurrences(of: "-idx", with: ".idx")
        let candidates = [baseName, baseName + ".gz", dotted, dotted + ".gz"]
        for name in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw MNISTError.fileNotFound(directory: directory.path, candidates: [baseName + ".gz", baseName])
    }
}

/// An error raised while loading an MNIST-style data set.
public enum MNISTError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The data set directory does not exist (or is not a directory).
    case directoryNotFound(path: String)
    /// None of the accepted names of a required file exists in the directory.
    case fileNotFound(directory: String, candidates: [String])
    /// The image file and the label file disagree on the number of examples.
    case countMismatch(directory: String, images: Int, labels: Int)
    /// A file holds an array of the wrong type or shape.
    case unexpectedShape(file: String, shape: [Int], expected: String)
    /// A file is missing, truncated, corrupt or not an IDX file.
    case badFile(IDXError)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .directoryNotFound(let path):
            return "MNIST data directory not found: \(path) (download the data set there first, "
                + "e.g. with MNISTDownloader)"
        case .fileNotFound(let directory, let candidates):
            return "MNIST file missing in \(directory): expected \(candidates.joined(separator: " or "))"
        case .countMismatch(let directory, let images, let labels):
            return "MNIST data in \(directory) is inconsistent: \(images) images but \(labels) labels"
        case .unexpectedShape(let file, let shape, let expected):
            return "MNIST file \(file) has shape \(shape), expected \(expected)"
        case .badFile(let error):
            return error.description
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}
