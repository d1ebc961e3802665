namespace CondensationDsl.Language

open System
open System.Text

/// How serious a diagnostic is. Errors stop compilation; warnings are reported and compilation goes on.
type DiagnosticSeverity =
    | Error = 0
    | Warning = 1

/// One row of the diagnostic table: a stable code, its severity and a short title.
[<Sealed; AllowNullLiteral>]
type DiagnosticDescriptor(code: string, severity: DiagnosticSeverity, title: string) =
    member _.Code = code
    member _.Severity = severity
    member _.Title = title

/// THE table of diagnostic codes. Codes are stable: never renumber or reuse one; add new ones at the end of their group.
/// Groups: 00xx syntax, 01xx names, 02xx arguments and values, 03xx shapes, 04xx ranges, 05xx observations,
/// sweeps and expectations, 09xx command line and host.
module DiagnosticCodes =
    [<Literal>]
    let SyntaxError = "COND0001"
    [<Literal>]
    let UnknownStatement = "COND0002"
    [<Literal>]
    let InvalidCharacter = "COND0003"
    [<Literal>]
    let MissingExperiment = "COND0004"
    [<Literal>]
    let DuplicateBlock = "COND0005"
    [<Literal>]
    let MissingBlock = "COND0006"
    [<Literal>]
    let UnknownBlockStatement = "COND0007"
    [<Literal>]
    let TooComplex = "COND0008"

    [<Literal>]
    let UnknownName = "COND0101"
    [<Literal>]
    let UnknownLayerKind = "COND0102"
    [<Literal>]
    let UnknownFunction = "COND0103"
    [<Literal>]
    let UnknownActivation = "COND0104"
    [<Literal>]
    let UnknownArgument = "COND0105"
    [<Literal>]
    let DuplicateName = "COND0106"
    [<Literal>]
    let UnknownLayer = "COND0107"
    [<Literal>]
    let UnknownMeasure = "COND0108"
    [<Literal>]
    let UnknownLoss = "COND0109"
    [<Literal>]
    let UnknownOptimizer = "COND0110"
    [<Literal>]
    let UnknownDataSource = "COND0111"
    [<Literal>]
    let UnknownInitializer = "COND0112"
    [<Literal>]
    let UnknownOption = "COND0113"
    [<Literal>]
    let VariableNotAllowed = "COND0114"
    [<Literal>]
    let UnknownSweepAxis = "COND0115"
    [<Literal>]
    let ReservedName = "COND0116"
    [<Literal>]
    let UsedBeforeDefinition = "COND0117"
    [<Literal>]
    let UnknownData = "COND0118"
    [<Literal>]
    let UnknownSummary = "COND0119"
    [<Literal>]
    let DataFileNotFound = "COND0120"

    [<Literal>]
    let MissingArgument = "COND0201"
    [<Literal>]
    let TooManyArguments = "COND0202"
    [<Literal>]
    let DuplicateArgument = "COND0203"
    [<Literal>]
    let WrongValueKind = "COND0204"
    [<Literal>]
    let WrongArity = "COND0205"
    [<Literal>]
    let NotConstant = "COND0206"
    [<Literal>]
    let NotFinite = "COND0207"

    [<Literal>]
    let InputSizeMismatch = "COND0301"
    [<Literal>]
    let OutputWidthMismatch = "COND0302"
    [<Literal>]
    let FeaturesNeedOneDimensionalInput = "COND0303"
    [<Literal>]
    let EmptyModel = "COND0304"
    [<Literal>]
    let MissingInit = "COND0305"
    [<Literal>]
    let MissingInput = "COND0306"
    [<Literal>]
    let InvalidLayerOrder = "COND0307"
    [<Literal>]
    let InvalidLayerShape = "COND0308"
    [<Literal>]
    let InvalidDataFile = "COND0309"

    [<Literal>]
    let NotWholeCount = "COND0401"
    [<Literal>]
    let NonPositiveLearningRate = "COND0402"
    [<Literal>]
    let ThresholdOutOfRange = "COND0403"
    [<Literal>]
    let ValueOutOfRange = "COND0404"
    [<Literal>]
    let BatchTooLarge = "COND0405"

    [<Literal>]
    let ExpectationNotObserved = "COND0501"
    [<Literal>]
    let ExpectationStepNotObserved = "COND0502"
    [<Literal>]
    let ObservationAfterEnd = "COND0503"
    [<Literal>]
    let InvalidSweepRange = "COND0504"
    [<Literal>]
    let SweepAxisUnused = "COND0505"
    [<Literal>]
    let DuplicateObservationStep = "COND0506"
    [<Literal>]
    let MissingTarget = "COND0507"
    [<Literal>]
    let ConflictingMeasureOptions = "COND0508"
    [<Literal>]
    let InvalidReduction = "COND0509"
    [<Literal>]
    let SweepTupleMismatch = "COND0510"
    [<Literal>]
    let InvalidSummary = "COND0511"
    [<Literal>]
    let InvalidEmbedding = "COND0512"

    [<Literal>]
    let FileNotFound = "COND0901"
    [<Literal>]
    let FileUnreadable = "COND0902"
    [<Literal>]
    let UnknownParameter = "COND0903"
    [<Literal>]
    let IllTypedParameter = "COND0904"
    [<Literal>]
    let UnknownDevice = "COND0905"
    [<Literal>]
    let DeviceUnavailable = "COND0906"
    [<Literal>]
    let OutputNotWritable = "COND0907"
    [<Literal>]
    let ResumeRefused = "COND0908"
    [<Literal>]
    let InternalCompilerError = "COND0999"

    let private e code title = DiagnosticDescriptor(code, DiagnosticSeverity.Error, title)
    let private w code title = DiagnosticDescriptor(code, DiagnosticSeverity.Warning, title)

    /// Every code with its severity and title, in code order (documentation and SARIF rules are generated from it).
    let All: DiagnosticDescriptor[] =
        [| e SyntaxError "Syntax error"
           e UnknownStatement "Unknown statement"
           e InvalidCharacter "Invalid character"
           e MissingExperiment "Missing experiment header"
           e DuplicateBlock "Block declared twice"
           e MissingBlock "Missing block"
           e UnknownBlockStatement "Unknown statement in block"
           e TooComplex "Input too large or too deeply nested"
           e UnknownName "Unknown name"
           e UnknownLayerKind "Unknown layer kind"
           e UnknownFunction "Unknown function"
           e UnknownActivation "Unknown activation"
           e UnknownArgument "Unknown argument"
           e DuplicateName "Duplicate name"
           e UnknownLayer "Unknown layer"
           e UnknownMeasure "Unknown measure"
           e UnknownLoss "Unknown loss"
           e UnknownOptimizer "Unknown optimizer"
           e UnknownDataSource "Unknown data source"
           e UnknownInitializer "Unknown initializer"
           e UnknownOption "Unknown option value"
           e VariableNotAllowed "Variable not allowed here"
           e UnknownSweepAxis "Unknown sweep axis"
           e ReservedName "Reserved name"
           e UsedBeforeDefinition "Name used before its definition"
           e UnknownData "Unknown data set"
           e UnknownSummary "Unknown summary"
           e DataFileNotFound "Data file not found"
           e MissingArgument "Missing argument"
           e TooManyArguments "Too many arguments"
           e DuplicateArgument "Argument given twice"
           e WrongValueKind "Wrong kind of value"
           e WrongArity "Wrong number of function arguments"
           e NotConstant "Value must be a constant"
           e NotFinite "Value is not a finite number"
           e InputSizeMismatch "Model input does not match the data"
           e OutputWidthMismatch "Model output does not match the target"
           e FeaturesNeedOneDimensionalInput "Features need a layer with 1-D input"
           e EmptyModel "Model has no layers"
           e MissingInit "Missing initialization"
           e MissingInput "Missing model input size"
           e InvalidLayerOrder "Layer in a place it cannot work"
           e InvalidLayerShape "Layer does not fit the shape of its input"
           e InvalidDataFile "Data file is not valid"
           e NotWholeCount "Not a whole number in range"
           e NonPositiveLearningRate "Learning rate must be positive"
           e ThresholdOutOfRange "Threshold out of range"
           e ValueOutOfRange "Value out of range"
           e BatchTooLarge "Batch larger than the data"
           e ExpectationNotObserved "Expectation on a quantity that is not observed"
           e ExpectationStepNotObserved "Expectation at a step with no observation"
           w ObservationAfterEnd "Observation after the end of training"
           e InvalidSweepRange "Invalid sweep range"
           w SweepAxisUnused "Sweep axis has no effect"
           w DuplicateObservationStep "Observation step listed twice"
           e MissingTarget "Missing target"
           e ConflictingMeasureOptions "Measure observed with different options"
           e InvalidReduction "Width reduction cannot apply"
           e SweepTupleMismatch "Sweep tuple does not match its names"
           e InvalidSummary "Summary cannot be computed"
           e InvalidEmbedding "Embedding check cannot apply"
           e FileNotFound "File not found"
           e FileUnreadable "File unreadable"
           e UnknownParameter "Unknown parameter"
           e IllTypedParameter "Ill-typed parameter value"
           e UnknownDevice "Unknown device"
           e DeviceUnavailable "Device not available"
           e OutputNotWritable "Output cannot be written"
           e ResumeRefused "Resume refused: the experiment changed"
           e InternalCompilerError "Internal compiler error" |]

    let private byCode = All |> Array.map (fun d -> d.Code, d) |> dict

    /// The descriptor of a code; throws for a code missing from the table (a bug of ours, caught by tests).
    let Find (code: string) : DiagnosticDescriptor =
        match byCode.TryGetValue code with
        | true, d -> d
        | _ -> invalidArg (nameof code) $"Diagnostic code {code} is not in the table."

/// A message about a source file: stable code, severity, position (1-based line and column; Length ≥ 1 characters)
/// and a message that says what was expected and how to fix it.
[<Sealed>]
type Diagnostic(code: string, severity: DiagnosticSeverity, file: string, line: int, column: int, length: int, message: string) =
    /// A diagnostic whose severity comes from the table.
    new(code: string, file: string, line: int, column: int, length: int, message: string) =
        Diagnostic(code, (DiagnosticCodes.Find code).Severity, file, line, column, length, message)

    member _.Code = code
    member _.Severity = severity
    member _.File = file
    member _.Line = line
    member _.Column = column
    member _.Length = length
    member _.Message = message
    member _.IsError = (severity = DiagnosticSeverity.Error)

    /// The MSBuild/compiler form editors and CI understand: file(line,col): error CODE: message
    member _.ToMsBuildFormat() : string =
        let sev = if severity = DiagnosticSeverity.Error then "error" else "warning"
        if line > 0 then $"{file}({line},{column}): {sev} {code}: {message}"
        else $"{file}: {sev} {code}: {message}"

    /// The MSBuild line followed by the source line and a caret underline, for people reading a terminal.
    member this.Render(sourceText: string | null) : string =
        let sb = StringBuilder()
        sb.Append(this.ToMsBuildFormat()) |> ignore
        match sourceText with
        | null -> ()
        | text when line > 0 ->
            let lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n')
            if line <= lines.Length then
                // Tabs become one space so the caret stays under the right character.
                let src = lines[line - 1].Replace('\t', ' ')
                let gutter = string line
                let pad = String(' ', gutter.Length)
                let col = max 1 (min column (src.Length + 1))
                let len = max 1 (min length (max 1 (src.Length - col + 1)))
                sb.Append('\n').Append($" {gutter} | {src}") |> ignore
                sb.Append('\n').Append($" {pad} | ").Append(String(' ', col - 1)).Append(String('^', len)) |> ignore
        | _ -> ()
        sb.ToString()

    override this.ToString() = this.ToMsBuildFormat()

/// Ready-made diagnostics for the command line and the host, so their wording follows the same rules as the compiler's.
[<AbstractClass; Sealed>]
type HostDiagnostics =
    static member FileNotFound(path: string) =
        Diagnostic(DiagnosticCodes.FileNotFound, path, 0, 0, 1, $"File \"{path}\" does not exist. Check the path, or run from the folder that holds it.")

    static member FileUnreadable(path: string, reason: string) =
        Diagnostic(DiagnosticCodes.FileUnreadable, path, 0, 0, 1, $"File \"{path}\" could not be read: {reason} Check its permissions and that it is a text file.")

    /// `--set name=value` naming no parameter; <paramref name="known"/> are the experiment's parameters.
    static member UnknownParameter(file: string, name: string, known: seq<string>) =
        let known = Seq.toArray known
        let hint =
            match Suggest.Closest(name, known) with
            | null -> ""
            | s -> $" Did you mean \"{s}\"?"
        let list = if known.Length = 0 then "none" else String.Join(", ", known)
        Diagnostic(DiagnosticCodes.UnknownParameter, file, 0, 0, 1,
                   $"--set names unknown parameter \"{name}\".{hint} Settable parameters: {list}.")

    /// `--set name=value` whose value is not a number of the parameter's type (expectedType: "integer" or "real").
    static member IllTypedParameter(file: string, name: string, value: string, expectedType: string) =
        let article, example = if expectedType = "integer" then "an", "3" else "a", "0.5"
        Diagnostic(DiagnosticCodes.IllTypedParameter, file, 0, 0, 1,
                   $"--set {name}={value}: expected {article} {expectedType} number (for example --set {name}={example}).")

    /// `--set name=word` for a choice parameter (`let act = tanh`) whose word is not one of its choices.
    static member UnknownChoice(file: string, name: string, value: string, choices: seq<string>) =
        let choices = Seq.toArray choices
        let hint =
            match Suggest.Closest(value, choices) with
            | null -> ""
            | s -> $" Did you mean \"{s}\"?"
        Diagnostic(DiagnosticCodes.IllTypedParameter, file, 0, 0, 1,
                   $"""--set {name}={value}: expected one of {String.Join(", ", choices)}.{hint}""")

    static member UnknownDevice(device: string, known: seq<string>) =
        let known = Seq.toArray known
        let hint =
            match Suggest.Closest(device, known) with
            | null -> ""
            | s -> $" Did you mean \"{s}\"?"
        let list = String.Join(", ", known)
        Diagnostic(DiagnosticCodes.UnknownDevice, "cond", 0, 0, 1,
                   $"Unknown device \"{device}\".{hint} Expected one of: {list}.")

    /// `--device cuda|opencl` on a machine without one; <paramref name="reason"/> says what is missing.
    static member DeviceUnavailable(device: string, reason: string) =
        Diagnostic(DiagnosticCodes.DeviceUnavailable, "cond", 0, 0, 1,
                   $"Device \"{device}\" is not available: {reason} Run 'cond devices' to see what this machine has, or use --device auto.")

    /// A run folder, emitted file or report that cannot be written (permissions, a file in the way, a full disk).
    static member OutputNotWritable(path: string, reason: string) =
        Diagnostic(DiagnosticCodes.OutputNotWritable, path, 0, 0, 1,
                   $"Cannot write \"{path}\": {reason} Choose another folder with -o, or check its permissions and free space.")

    /// `--resume` into a sweep folder whose completed cells ran another source: mixing them would compare different experiments.
    static member ResumeRefused(folder: string, cells: seq<string>) =
        let cells = Seq.toArray cells
        let shown = String.Join("; ", cells |> Array.truncate 3) + (if cells.Length > 3 then $" and {cells.Length - 3} more" else "")
        Diagnostic(DiagnosticCodes.ResumeRefused, folder, 0, 0, 1,
                   $"Cannot resume \"{folder}\": the experiment changed since its completed cells ran ({shown} recorded another source). Run without --resume to replace the sweep, or choose another folder with -o.")

    /// Roslyn rejected code we emitted: a bug of ours, not of the experiment. Points at the emitted file.
    static member InternalCompilerError(emittedPath: string, line: int, column: int, detail: string) =
        Diagnostic(DiagnosticCodes.InternalCompilerError, emittedPath, line, column, 1,
                   $"Internal compiler error: the emitted C# does not compile ({detail}). This is a bug in CondensationDsl, not in your experiment; please report it with the emitted file.")
