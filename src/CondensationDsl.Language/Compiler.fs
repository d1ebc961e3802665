namespace CondensationDsl.Language

open System
open System.Collections.Generic
open System.IO

/// What Check or Emit produced. C#-friendly: arrays and nullable strings, no F# types.
[<Sealed>]
type CompilationResult internal (diagnostics: Diagnostic[], csharpSource: string | null, experimentName: string | null,
                                 className: string | null, sourceText: string | null) =
    /// Every diagnostic, errors and warnings, in source order.
    member _.Diagnostics = diagnostics
    member _.HasErrors = diagnostics |> Array.exists (fun d -> d.IsError)
    /// The emitted C# program; null after Check or when there are errors.
    member _.CSharpSource = csharpSource
    /// The experiment's name as declared; null when the file could not be parsed.
    member _.ExperimentName = experimentName
    /// The emitted class's name (in namespace CondensationDsl.Generated); null when the file could not be parsed.
    member _.ClassName = className
    /// The diagnostics rendered for a terminal: MSBuild line, source line, caret underline; one blank line between.
    member _.RenderDiagnostics() : string =
        String.Join("\n\n", diagnostics |> Array.map (fun d -> d.Render(sourceText)))

/// The language's front door: text → diagnostics → C#.
[<AbstractClass; Sealed>]
type Compiler =
    /// The namespace every emitted class lives in.
    static member GeneratedNamespace = "CondensationDsl.Generated"

    /// Limits that keep recursion in the parser, checker and emitter far from the stack's end: no .cond file a person
    /// writes comes near them, and a generated monster gets a diagnostic instead of a crashed process.
    static member private Limits(path: string, text: string) : Diagnostic option =
        let maxChars = 1_000_000
        let maxDepth = 64
        let maxOperatorsPerLine = 400
        if text.Length > maxChars then
            Some(Diagnostic(DiagnosticCodes.TooComplex, path, 1, 1, 1, $"The file has {text.Length} characters; a .cond file may have at most {maxChars}. Split the experiment."))
        else
            let mutable depth = 0
            let mutable operators = 0
            let mutable line = 1
            let mutable column = 0
            let mutable inComment = false
            let mutable inString = false
            let mutable found = None
            let mutable i = 0
            while found.IsNone && i < text.Length do
                let c = text[i]
                column <- column + 1
                if c = '\n' then
                    line <- line + 1
                    column <- 0
                    operators <- 0
                    inComment <- false
                    inString <- false
                elif inComment then ()
                elif inString then (if c = '"' then inString <- false)
                elif c = '"' then inString <- true
                elif c = '#' then inComment <- true
                else
                    match c with
                    | '(' | '[' | '{' ->
                        depth <- depth + 1
                        operators <- operators + 1
                        if depth > maxDepth then
                            found <- Some(Diagnostic(DiagnosticCodes.TooComplex, path, line, column, 1, $"Brackets are nested more than {maxDepth} deep here. Simplify the expression, e.g. with a let."))
                    | ')' | ']' | '}' -> depth <- max 0 (depth - 1)
                    | '+' | '-' | '*' | '/' | '^' ->
                        operators <- operators + 1
                        if operators > maxOperatorsPerLine then
                            found <- Some(Diagnostic(DiagnosticCodes.TooComplex, path, line, column, 1, $"This line has more than {maxOperatorsPerLine} operators. Split the expression into several lets."))
                    | _ -> ()
                i <- i + 1
            found

    /// Never a stack trace for bad input: an exception here is our bug, reported as a diagnostic.
    static member private InternalError(path: string, ex: exn) : Diagnostic =
        Diagnostic(DiagnosticCodes.InternalCompilerError, path, 1, 1, 1,
                   $"Internal compiler error ({ex.GetType().Name}: {ex.Message}). This is a bug in CondensationDsl, not in your experiment; please report it with the .cond file.")

    static member private Run(path: string, text: string, emit: bool) : CompilationResult =
        match Compiler.Limits(path, text) with
        | Some d -> CompilationResult([| d |], null, null, null, text)
        | None ->
        try
            match Parser.parse path text with
            | Result.Error d -> CompilationResult([| d |], null, null, null, text)
            | Result.Ok doc ->
                let name =
                    doc.Statements |> List.tryPick (function Syntax.ExperimentDecl(n, _, _) -> Some n.Text | _ -> None)
                let cls = name |> Option.map Emitter.className
                let result = Checker.check path text doc
                let diagnostics = Array.ofList result.Diagnostics
                let source: string | null =
                    match result.Experiment with
                    | Some exp when emit -> Emitter.emit path text exp
                    | _ -> null
                CompilationResult(diagnostics, source, Option.toObj name, Option.toObj cls, text)
        with ex -> CompilationResult([| Compiler.InternalError(path, ex) |], null, null, null, text)

    /// Parses and checks `text` (the content of `path`, used in messages); no C#.
    static member Check(path: string, text: string) : CompilationResult = Compiler.Run(path, text, false)

    /// Parses, checks and emits: CSharpSource holds the program when HasErrors is false.
    static member Emit(path: string, text: string) : CompilationResult = Compiler.Run(path, text, true)

    /// The errors a run with `values` (let name → value, as from --set or one sweep cell) would fail on: every value
    /// and range check redone with those lets replaced (lets computed from them recomputed), and seed a whole number
    /// ≥ 0. Only errors the values cause are returned (the defaults' own are Check's); names that are not lets or seed
    /// are ignored (the CLI rejects them). Empty when the run may go ahead.
    static member CheckValues(path: string, text: string, values: IReadOnlyDictionary<string, double>) : Diagnostic[] =
        match Compiler.Limits(path, text) with
        | Some d -> [| d |]
        | None ->
        try
            match Parser.parse path text with
            | Result.Error d -> [| d |]
            | Result.Ok doc ->
                let pairs = values |> Seq.map (fun kv -> kv.Key, kv.Value)
                Checker.checkValues path text doc pairs |> Array.ofList
        with ex -> [| Compiler.InternalError(path, ex) |]

    /// Reads `path` (file not found / unreadable become diagnostics) and emits.
    static member EmitFile(path: string) : CompilationResult =
        if not (File.Exists path) then CompilationResult([| HostDiagnostics.FileNotFound path |], null, null, null, null)
        else
            let text =
                try Ok(File.ReadAllText path)
                with ex -> Error ex.Message
            match text with
            | Ok t -> Compiler.Emit(path, t)
            | Error reason -> CompilationResult([| HostDiagnostics.FileUnreadable(path, reason) |], null, null, null, null)

    /// Lowercase hex SHA-256 of the text's UTF-8 bytes (what the emitted header and ExperimentInfo record).
    static member SourceSha256(text: string) : string = Emitter.sha256Hex text
