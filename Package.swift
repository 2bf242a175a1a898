// swift-tools-version:6.0
// Ember: an eager deep-learning framework for Swift with tape-based reverse-mode autodiff.
import PackageDescription

let package = Package(
    name: "Ember",
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .executable(name: "ember-bench", targets: ["ember-bench"]),
        .executable(name: "TensorsAndAutograd", targets: ["TensorsAndAutograd"]),
    ],
    targets: [
        // zlib, present wherever Swift runs on Linux and on macOS: gzip datasets, PNG.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The hot micro-kernels, compiled per function for AVX2/FMA and chosen at run time.
        .target(name: "CEmberKernels", path: "Sources/CEmberKernels"),
        .target(
            name: "Ember",
            dependencies: ["CZlib", "CEmberKernels"],
            path: "Sources/Ember",
            // The 10,000-image MNIST test split, so a first run trains on real digits offline.
            resources: [.copy("Resources/mnist")]
        ),
        .executableTarget(name: "ember-bench", dependencies: ["Ember"], path: "Sources/ember-bench"),
        .executableTarget(
            name: "TensorsAndAutograd", dependencies: ["Ember"],
            path: "Tutorials/01-TensorsAndAutograd", exclude: ["README.md"]
        ),
        .testTarget(
            name: "EmberTests", dependencies: ["Ember"], path: "Tests/EmberTests",
            resources: [.copy("Fixtures")]
        ),
    ]
)
