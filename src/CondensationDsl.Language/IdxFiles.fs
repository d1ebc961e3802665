/// Where idx(…) data lives and what its files' headers say, read at check time so that a missing file, a file that
/// is not IDX, or images that do not fit the model are errors before anything runs. The runtime reads the same files
/// again in full (CondensationDsl.Runtime.Data.Idx) and re-checks every count.
module CondensationDsl.Language.IdxFiles

open System
open System.IO
open System.IO.Compression

/// A named data set: the environment variable that may point at its directory, and the default directory (None: the
/// variable is required).
type NamedSet = { Word: string; Variable: string; DefaultDirectory: string option; Install: string }

let namedSets =
    [ { Word = "fashion_mnist"; Variable = "COND_FASHION_MNIST"; DefaultDirectory = Some "/usr/share/datasets/fashion-mnist"
        Install = "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)" }
      { Word = "mnist"; Variable = "COND_MNIST"; DefaultDirectory = None
        Install = "download the four MNIST files (train-images-idx3-ubyte.gz …) into a directory" } ]

/// The splits of a named set and the file-name prefix of each (the MNIST names, which Fashion-MNIST shares).
let splits = [ "train", "train"; "test", "t10k" ]

/// The directory of a named set: the variable's value when set, else the default; Error says how to provide one.
let directoryOf (set: NamedSet) : Result<string, string> =
    match Environment.GetEnvironmentVariable set.Variable with
    | null
    | "" ->
        match set.DefaultDirectory with
        | Some d -> Ok d
        | None -> Error $"{set.Word} has no default directory: {set.Install} and set {set.Variable} to it."
    | d -> Ok d

/// The images and labels files of a split in a directory: "<prefix>-images-idx3-ubyte" and "-labels-idx1-ubyte", gzipped
/// (".gz") or not, whichever exists (the gzipped name when neither does, for the message).
let filesOf (directory: string) (prefix: string) =
    let pick (name: string) =
        let gz = Path.Combine(directory, name + ".gz")
        let plain = Path.Combine(directory, name)
        if File.Exists gz || not (File.Exists plain) then gz else plain
    pick $"{prefix}-images-idx3-ubyte", pick $"{prefix}-labels-idx1-ubyte"

/// The element types whose values are whole numbers (unsigned/signed byte, short, int): class labels must be one of them.
let integerTypes = [ 0x08uy; 0x09uy; 0x0Buy; 0x0Cuy ]

/// An IDX header: the element type byte and the dimensions.
type Header = { ElementType: byte; Dimensions: int list }

/// Reads the magic number and dimensions of an IDX file (plain or gzip, told apart by content), or says what is wrong.
let readHeader (path: string) : Result<Header, string> =
    try
        use file = File.OpenRead path
        let first = Array.zeroCreate<byte> 2
        let got = file.Read(first, 0, 2)
        file.Position <- 0L
        let stream: Stream =
            if got = 2 && first[0] = 0x1fuy && first[1] = 0x8buy then new GZipStream(file, CompressionMode.Decompress) else file
        use stream = stream
        let read (count: int) =
            let buffer = Array.zeroCreate<byte> count
            let mutable total = 0
            let mutable go = true
            while go && total < count do
                let n = stream.Read(buffer, total, count - total)
                if n = 0 then go <- false else total <- total + n
            buffer, total
        let magic, m = read 4
        if m < 4 then Error "it is too short for an IDX file (no 4-byte magic number)"
        elif magic[0] <> 0uy || magic[1] <> 0uy then
            Error $"it is not an IDX file: its magic number starts with {magic[0]:x2} {magic[1]:x2}, not 00 00"
        elif not (List.contains magic[2] [ 0x08uy; 0x09uy; 0x0Buy; 0x0Cuy; 0x0Duy; 0x0Euy ]) then
            Error $"its element type 0x{magic[2]:x2} is not an IDX type"
        elif magic[3] = 0uy || magic[3] > 8uy then Error $"it declares {magic[3]} dimensions"
        else
            let dims, d = read (4 * int magic[3])
            if d < dims.Length then Error "its header is truncated"
            else
                let dimension i =
                    (uint32 dims[4 * i] <<< 24) ||| (uint32 dims[4 * i + 1] <<< 16) ||| (uint32 dims[4 * i + 2] <<< 8) ||| uint32 dims[4 * i + 3]
                let sizes = [ for i in 0 .. int magic[3] - 1 -> dimension i ]
                match sizes |> List.tryFind (fun d -> d > uint32 Int32.MaxValue) with
                | Some d -> Error $"it declares a dimension of {d}, more than any array holds"
                | None -> Ok { ElementType = magic[2]; Dimensions = sizes |> List.map int }
    with
    | :? InvalidDataException as e -> Error $"it is not a valid gzip file ({e.Message})"
    | :? IOException as e -> Error $"it cannot be read ({e.Message})"
    | :? UnauthorizedAccessException as e -> Error $"it cannot be read ({e.Message})"
