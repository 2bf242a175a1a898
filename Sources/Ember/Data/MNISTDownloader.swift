// Fetching MNIST and Fashion-MNIST from their public mirrors, with the official checksums.

import Foundation

/// Downloads MNIST-style data sets into a folder that ``MNISTRaw/load(directory:split:expectedImageSize:)``
/// can read.
///
/// ```swift
/// let folder = URL(fileURLWithPath: "data/mnist")
/// try MNISTDownloader.download(.mnist, to: folder)          // skips files already present and valid
/// let train = try MNISTRaw.load(directory: folder, split: .train)
/// ```
///
/// Each file is checked against the checksum torchvision publishes; mirrors are tried in order.
public enum MNISTDownloader {
    /// A downloadable data set: where it lives and the MD5 of each `.gz` file.
    public struct Dataset: Sendable, Equatable {
        /// A short name for messages.
        public var name: String
        /// Base URLs tried in order; each file's name is appended.
        public var mirrors: [URL]
        /// MD5 (of the `.gz` file) for each file name.
        public var checksums: [String: String]

        /// Creates a data set description, for a mirror of your own.
        public init(name: String, mirrors: [URL], checksums: [String: String]) {
            self.name = name
            self.mirrors = mirrors
            self.checksums = checksums
        }

        /// MNIST handwritten digits (torchvision's mirrors and checksums).
        public static let mnist = Dataset(
            name: "MNIST",
            mirrors: [URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                      URL(string: "http://yann.lecun.com/exdb/mnist/")!],
            checksums: [
                "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
                "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
                "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
            ])

        /// Fashion-MNIST (Zalando Research's mirror and checksums).
        public static let fashionMNIST = Dataset(
            name: "Fashion-MNIST",
            mirrors: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!],
            checksums: [
                "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
            ])
    }

    /// Downloads the `.gz` files of `splits` of `dataset` into `directory` (created if needed).
    ///
    /// A file already present (under its `.gz` name) with the right checksum is not downloaded
    /// again. Each download goes through ``Download/file(from:to:md5:timeout:progress:)``, so a
    /// failed or corrupted transfer never leaves a file behind.
    /// - Parameter log: receives one line per file (`nil` for silence).
    /// - Throws: ``DownloadError/allMirrorsFailed(file:failures:)`` listing each mirror's failure.
    public static func download(_ dataset: Dataset = .mnist, splits: [MNISTRaw.Split] = [.train, .test],
                                to directory: URL, timeout: TimeInterval = 60,
                                log: (@Sendable (String) -> Void)? = { print($0) }) throws {
        for split in splits {
            let names = split.fileNames
            for base in [names.images, names.labels] {
                let file = base + ".gz"
                guard let md5 = dataset.checksums[file] else {
                    throw DownloadError.allMirrorsFailed(file: file, failures: ["no checksum known for \(file) in \(dataset.name)"])
                }
                let destination = directory.appendingPathComponent(file)
                var failures: [String] = []
                var succeeded = false
                for mirror in dataset.mirrors {
                    let url = mirror.appendingPathComponent(file)
                    do {
                        let fetched = try Download.file(from: url, to: destination, md5: md5, timeout: timeout)
                        log?(fetched ? "downloaded \(url.absoluteString) -> \(destination.path)"
                                     : "\(destination.path) already present, checksum ok")
                        succeeded = true
                        break
                    } catch {
                        failures.append("\(error)")
                        log?("mirror failed: \(error)")
                    }
                }
                if !succeeded { throw DownloadError.allMirrorsFailed(file: file, failures: failures) }
            }
        }
    }
}
