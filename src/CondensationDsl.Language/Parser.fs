/// Text → syntax tree. Each parser below is named and labelled after its rule in grammar/cond.ebnf, so FParsec's
/// "expected …" lists read like the grammar. FParsec's own error dumps never leave this module: ParseErrors turns
/// them into one Diagnostic with a stable code.
module CondensationDsl.Language.Parser

open System
open System.Globalization
open FParsec
open CondensationDsl.Language.Syntax

type private P<'a> = Parser<'a, unit>

// ---------------------------------------------------------------------------------------------------------------
// Coded failures. Some failures are better reported with their own code and span than as "syntax error at X"
// (an unknown statement keyword, an unterminated string). FParsec only carries strings, so we encode the code and
// span into the message and decode it in ParseErrors. The marker cannot appear in a message we did not make.
let private marker = "\u0002cond"

let private failAt (code: string) (span: Span) (message: string) : P<'a> =
    fail (String.Join("\u0001", [| marker; code; string span.Start; string span.End; string span.Line; string span.Column; message |]))

let private toSpan (s: Position) (e: Position) =
    { Start = int s.Index; End = int e.Index; Line = int s.Line; Column = int s.Column }

/// Runs p and returns its result with the span it covered (whitespace after p is not part of it).
let private withSpan (p: P<'a>) : P<'a * Span> =
    pipe3 getPosition p getPosition (fun s v e -> v, toSpan s e)

// ---------------------------------------------------------------------------------------------------------------
// Lexical rules (EBNF: blank, comment, newline, separator).

/// blank* comment? — and, when newlines is true, newlines too. Hand-written so that skipping whitespace adds no
/// "expected" noise to error messages and FParsec still counts lines.
let private skipBlank (newlines: bool) : P<unit> =
    fun stream ->
        let mutable go = true
        while go do
            let c = stream.Peek()
            if c = ' ' || c = '\t' then stream.Skip()
            elif newlines && (c = '\n' || c = '\r') then stream.SkipNewline() |> ignore
            elif c = '#' then stream.SkipRestOfLine(false)
            else go <- false
        Reply(())

/// Blanks and a comment, not newlines: a newline ends a statement.
let private ws = skipBlank false
/// Blanks, comments and newlines: inside brackets and between statements.
let private wsnl = skipBlank true

let private isIdentStart c = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
let private isIdentChar c = isIdentStart c || (c >= '0' && c <= '9') || c = '_'

/// identifier = letter { letter | digit | "_" }
let private identifier: P<Ident> =
    withSpan (many1Satisfy2L isIdentStart isIdentChar "a name") .>> ws
    |>> fun (t, s) -> { Text = t; Span = s }
    <?> "a name"

/// A keyword is an identifier spelled exactly so (keywords are contextual: `loss` is also a measure name).
let private keyword (k: string) : P<Span> =
    attempt (withSpan (pstring k .>> notFollowedBy (satisfy isIdentChar))) .>> ws |>> snd <?> $"\"{k}\""

let private symbol (s: string) : P<unit> = skipString s .>> ws <?> $"\"{s}\""
/// A symbol after which a line may break (opening brackets, commas).
let private symbolNl (s: string) : P<unit> = skipString s .>> wsnl <?> $"\"{s}\""

/// number = digit+ [ "." digit+ ] [ exponent ] | "." digit+ [ exponent ]. Written as a regex rather than pfloat so that
/// `1..3` lexes as 1, "..", 3.
let private number: P<Expr> =
    withSpan (regex @"([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?") .>> ws
    |>> (fun (t, s) -> Number(Double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture), t, s))
    <?> "a number"

/// string = '"' { char | '\"' | '\\' } '"', on one line.
let private stringLiteral: P<string * Span> =
    let normal = many1Satisfy (fun c -> c <> '"' && c <> '\\' && c <> '\n' && c <> '\r')
    let escaped = pchar '\\' >>. anyOf "\"\\" |>> string
    let body = manyStrings (normal <|> escaped)
    getPosition .>>? skipChar '"' >>= fun start ->
        body >>= fun text ->
            getPosition >>= fun here ->
                (skipChar '"' >>. getPosition .>> ws |>> fun e -> text, toSpan start e)
                <|> failAt DiagnosticCodes.SyntaxError (toSpan start here)
                        "Unterminated string: close it with \" on the same line (write \\\" for a quote inside it)."
    <?> "a string in double quotes"

/// compare_op = "<=" | "<" | ">=" | ">" | "==" | "!="
let private compareOp: P<CompareOp> =
    choice [ skipString "<=" >>% Le; skipString "<" >>% Lt; skipString ">=" >>% Ge
             skipString ">" >>% Gt; skipString "==" >>% Eq; skipString "!=" >>% Ne ] .>> ws
    <?> "a comparison (<, <=, >, >=, == or !=)"

// ---------------------------------------------------------------------------------------------------------------
// Expressions (EBNF: expression, term, unary, power, atom, call, arguments, argument).

let private expression, private expressionRef = createParserForwardedToRef<Expr, unit> ()

/// argument = [ identifier ":" ] expression
let private argument: P<Arg> =
    let name = attempt (identifier .>> skipChar ':' .>> ws)
    pipe3 getPosition (opt name) expression (fun _ (n: Ident option) v ->
        let span = match n with Some (id: Ident) -> spanUnion id.Span v.Span | None -> v.Span
        ({ Name = n; Value = v; Span = span }: Arg))
    <?> "an argument"

/// arguments = "(" [ argument { "," argument } ] ")"
let private arguments: P<Arg list> =
    between (symbolNl "(") (symbol ")") (sepBy (argument .>> wsnl) (symbolNl ","))
    <?> "arguments in parentheses"

/// atom = number | identifier [ arguments ] | "(" expression { "," expression } ")" | string
let private atom: P<Expr> =
    let callOrVariable =
        pipe3 identifier (opt (withSpan arguments)) getPosition (fun id args _ ->
            match args with
            | Some (a, s) -> Call(id, a, spanUnion id.Span s)
            | None -> Variable id)
    // One expression in parentheses is that expression, spanning the parentheses: a let's text (run.json, the emitted
    // program's parameter list) and a caret under it must not lose the closing one.
    let respan (e: Expr) (s: Span) : Expr =
        match e with
        | Number(v, t, _) -> Number(v, t, s)
        | Negate(x, _) -> Negate(x, s)
        | Binary(o, l, r, _) -> Binary(o, l, r, s)
        | Call(n, a, _) -> Call(n, a, s)
        | Tuple(i, _) -> Tuple(i, s)
        | Variable id -> Variable { id with Span = s }
        | StringLit(t, _) -> StringLit(t, s)
    let parenthesized =
        withSpan (between (symbolNl "(") (skipString ")") (sepBy1 (expression .>> wsnl) (symbolNl ","))) .>> ws
        |>> fun (items, s) ->
            match items with
            | [ single ] -> respan single s
            | many -> Tuple(many, s)
    let text = stringLiteral |>> StringLit
    number <|> callOrVariable <|> parenthesized <|> text <?> "a value (number, name, call, string or parenthesized expression)"

let private unary, private unaryRef = createParserForwardedToRef<Expr, unit> ()

/// power = atom [ "^" unary ]   (right-associative; binds tighter than unary minus: -x^2 = -(x^2))
let private power: P<Expr> =
    atom .>>. opt (symbol "^" >>. unary)
    |>> fun (a, b) ->
        match b with
        | Some r -> Binary(Pow, a, r, spanUnion a.Span r.Span)
        | None -> a

/// unary = "-" unary | power
unaryRef.Value <-
    (withSpan (skipChar '-') .>> ws .>>. unary |>> fun ((_, s), e) -> Negate(e, spanUnion s e.Span)) <|> power

let private binaryLevel (operand: P<Expr>) (ops: (string * BinaryOp) list) : P<Expr> =
    let op = choice [ for (s, o) in ops -> skipString s >>% o ] .>> ws
    chainl1 operand (op |>> fun o -> fun l r -> Binary(o, l, r, spanUnion l.Span r.Span))

/// term = unary { ("*" | "/") unary }
let private term = binaryLevel unary [ "*", Mul; "/", Div ]

/// expression = term { ("+" | "-") term }
expressionRef.Value <- binaryLevel term [ "+", Add; "-", Sub ] <?> "an expression"

// ---------------------------------------------------------------------------------------------------------------
// Statements and blocks.

/// statement_end = ";" | newline | (before "}" or the end of the file)
let private statementEnd (closing: string) : P<unit> =
    ws >>. (skipChar ';' <|> skipNewline <|> followedByString closing <|> eof) .>> wsnl
    <?> "the end of the statement (a new line or \";\")"

/// block = "{" { item statement_end } "}"
let private block (item: P<'a>) : P<'a list> =
    symbolNl "{" >>. many (item .>> statementEnd "}") .>> symbol "}"

let private topLevelKeywords = [ "experiment"; "let"; "data"; "model"; "train"; "observe"; "sweep"; "expect"; "reduce"; "summary"; "embed" ]

/// A keyword dispatch: reads the leading word and hands it to `rule`, or reports it as unknown with a suggestion.
let private dispatch (what: string) (code: string) (known: string list) (rule: Ident -> P<'a> option) : P<'a> =
    identifier >>= fun word ->
        match rule word with
        | Some p -> p
        | None ->
            let hint =
                match Suggest.Closest(word.Text, known) with
                | null -> ""
                | s -> $" Did you mean \"{s}\"?"
            let list = String.Join(", ", known |> List.map (fun k -> "\"" + k + "\""))
            // A top-level keyword inside a block usually means the block above was not closed.
            let unclosed =
                if code = DiagnosticCodes.UnknownBlockStatement && List.contains word.Text topLevelKeywords then
                    " If this starts a new statement, close the block above with \"}\" first."
                else ""
            failAt code word.Span $"Unknown {what} \"{word.Text}\".{hint} Expected one of {list}.{unclosed}"

let private spanFrom (start: Span) : P<Span> =
    getPosition |>> fun e -> { start with End = int e.Index }

/// call_value = identifier arguments   (data sources, optimizers, initializers)
let private callValue (what: string) : P<Expr> =
    identifier .>>. withSpan arguments |>> (fun (id, (args, s)) -> Call(id, args, spanUnion id.Span s)) <?> what

/// experiment_stmt = "experiment" identifier [ string ]
let private experimentRest (kw: Ident) =
    identifier .>>. opt stringLiteral >>= fun (name, title) -> spanFrom kw.Span |>> fun s -> ExperimentDecl(name, title, s)

/// let_stmt = "let" identifier "=" expression
let private letRest (kw: Ident) =
    identifier .>> symbol "=" .>>. expression >>= fun (name, value) -> spanFrom kw.Span |>> fun s -> Let(name, value, s)

/// data_stmt = "data" identifier "=" call_value [ "{" data_item "}" ] ;  data_item = "target" expression
let private dataRest (kw: Ident) =
    let dataItem = dispatch "data statement" DiagnosticCodes.UnknownBlockStatement [ "target" ] (fun w ->
        if w.Text = "target" then Some expression else None)
    identifier .>> symbol "=" .>>. callValue "a data source such as grid(-1, 1, points: 40)" .>>. opt (block dataItem)
    >>= fun ((name, source), items) ->
        spanFrom kw.Span |>> fun s -> Data(name, source, (match items with Some (t :: _) -> Some t | _ -> None), s)

/// model_item = "input" expression | "init" call_value | "scale" expression | "flatten" | "resnet18" arguments
///            | identifier identifier [ arguments ]   (a layer)
let private modelItem: P<ModelItem> =
    let layerKinds = [ "input"; "init"; "scale"; "flatten"; "dense"; "conv"; "maxpool"; "avgpool"; "dropout"; "batchnorm"; "resnet18" ]
    (identifier >>= fun word ->
        match word.Text with
        | "input" -> expression >>= fun e -> spanFrom word.Span |>> fun s -> Input(e, s)
        | "flatten" -> preturn (Flatten word.Span)
        | "resnet18" ->
            arguments <?> "resnet18's arguments, e.g. resnet18(width: 0.25, classes: 10)"
            >>= fun args -> spanFrom word.Span |>> fun s -> Network(word, args, s)
        | "init" -> callValue "an initializer such as normal(std: 0.01)" >>= fun e -> spanFrom word.Span |>> fun s -> Init(e, s)
        | "scale" -> expression >>= fun e -> spanFrom word.Span |>> fun s -> Scale(e, s)
        | _ ->
            // Anything else followed by a name is a layer; the checker reports an unknown kind with a suggestion. The
            // arguments may be left out (batchnorm b1); the checker reports missing required ones.
            (identifier .>>. opt arguments >>= fun (name, args) -> spanFrom word.Span |>> fun s -> Layer(word, name, defaultArg args [], s))
            <|> (let hint =
                    match Suggest.Closest(word.Text, layerKinds) with
                    | null -> ""
                    | s -> $" Did you mean \"{s}\"?"
                 failAt DiagnosticCodes.UnknownBlockStatement word.Span
                    $"Unknown model statement \"{word.Text}\".{hint} Expected \"input <size>\", \"init normal(std: ...)\", \"scale <factor>\", \"flatten\" or a layer such as \"dense hidden(100, relu)\"."))
    <?> "a model statement (input, init, scale, flatten or a layer)"

/// model_stmt = "model" identifier "{" { model_item statement_end } "}"
let private modelRest (kw: Ident) =
    identifier .>>. block modelItem >>= fun (name, items) -> spanFrom kw.Span |>> fun s -> Model(name, items, s)

/// train_item = "loss" identifier | "optimizer" call_value | ("epochs" | "steps") expression
///            | "until" identifier compare_op expression | "on" "divergence" "halve" "lr" "," "retry" expression
let private trainItem: P<TrainItem> =
    dispatch "train statement" DiagnosticCodes.UnknownBlockStatement [ "loss"; "optimizer"; "epochs"; "steps"; "until"; "on" ] (fun w ->
        let finish f = spanFrom w.Span |>> f
        match w.Text with
        | "loss" -> Some(identifier >>= fun l -> finish (fun s -> LossItem(l, s)))
        | "optimizer" -> Some(callValue "an optimizer such as gd(lr: 0.1)" >>= fun o -> finish (fun s -> OptimizerItem(o, s)))
        | "epochs"
        | "steps" -> Some(expression >>= fun e -> finish (fun s -> DurationItem(w, e, s)))
        | "until" ->
            Some(pipe3 identifier compareOp expression (fun a b c -> a, b, c) >>= fun (m, op, v) ->
                    finish (fun s -> UntilItem(m, op, v, s)))
        | "on" ->
            Some(keyword "divergence" >>. keyword "halve" >>. keyword "lr" >>. symbol "," >>. keyword "retry" >>. expression
                 >>= fun n -> finish (fun s -> RetryItem(n, s)))
        | _ -> None)

/// train_stmt = "train" "{" { train_item statement_end } "}"
let private trainRest (kw: Ident) =
    block trainItem >>= fun items -> spanFrom kw.Span |>> fun s -> Train(items, s)

/// list = "[" [ expression { "," expression } ] "]"
let private list: P<Expr list * Span> =
    withSpan (between (symbolNl "[") (skipString "]") (sepBy (expression .>> wsnl) (symbolNl ","))) .>> ws
    <?> "a list such as [1, 2, 3]"

/// measure_source = "weights" | "outputs" "on" identifier expression | "on" identifier
let private measureSource: P<MeasureSource> =
    let weights = keyword "weights" |>> Weights
    let outputs =
        keyword "outputs" .>> keyword "on" .>>. identifier .>>. expression
        |>> fun ((s, data), count) -> Outputs(data, count, spanUnion s count.Span)
    let on = keyword "on" .>>. identifier |>> fun (s, data) -> On(data, spanUnion s data.Span)
    weights <|> outputs <|> on

/// layer_ref = "first" "conv" | "last" "conv" | identifier { "." name_part }   (layer4.1.conv2: a layer inside a network)
let private layerRef: P<Ident> =
    let ordinal (word: string) =
        attempt (keyword word .>>. keyword "conv") |>> fun (a, b) -> { Text = $"{word} conv"; Span = spanUnion a b }
    let dotted =
        withSpan (regex @"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*") .>> ws |>> fun (t, s) -> { Text = t; Span = s }
    ordinal "first" <|> ordinal "last" <|> dotted <?> "a layer name"

/// measure = identifier [ layer_ref ] [ measure_source ] [ arguments ]   (the layer is never the word "on")
let private measure: P<Measure> =
    let layer = notFollowedBy (keyword "on") >>. layerRef
    (pipe4 identifier (opt layer) (opt measureSource) (opt arguments) (fun k l src a -> k, l, src, a) >>= fun (k, l, src, a) ->
        spanFrom k.Span |>> fun s -> { Kind = k; Layer = l; Source = src; Args = defaultArg a []; Span = s })
    <?> "a measure (loss, accuracy, features, cosine, clusters or reldis)"

/// observe_stmt = "observe" ( "every" expression | "at" list | "when" identifier compare_op expression )
///                "{" { measure statement_end } "}"
let private observeRest (kw: Ident) =
    let every = keyword "every" .>>. expression |>> fun (s, e) -> Every(e, spanUnion s e.Span)
    let at = keyword "at" >>. list |>> fun (items, s) -> At(items, s)
    let whenCondition =
        keyword "when" .>>. identifier .>>. compareOp .>>. expression
        |>> fun (((s, metric), op), value) -> When(metric, op, value, spanUnion s value.Span)
    (every <|> at <|> whenCondition <?> "\"every <steps>\", \"at [steps]\" or \"when accuracy >= 0.95\"") .>>. block measure
    >>= fun (sched, ms) -> spanFrom kw.Span |>> fun s -> Observe(sched, ms, s)

/// sweep_axis = ( identifier | "(" identifier { "," identifier } ")" ) "in" ( list | expression ".." expression )
let private sweepAxis: P<SweepAxisSyntax> =
    let range =
        expression .>> symbol ".." .>>. expression |>> fun (a, b) -> Range(a, b, spanUnion a.Span b.Span)
    let names =
        (identifier |>> List.singleton)
        <|> between (symbolNl "(") (symbol ")") (sepBy1 (identifier .>> wsnl) (symbolNl ","))
        <?> "a let to sweep, or several in parentheses: (a, b)"
    names .>> keyword "in" .>>. ((list |>> ValueList) <|> range <?> "a list [a, b, ...] or a range a..b")
    >>= fun (names, values) -> spanFrom names.Head.Span |>> fun s -> { Names = names; Values = values; Span = s }

/// sweep_stmt = "sweep" "{" { sweep_axis statement_end } "}"
let private sweepRest (kw: Ident) =
    block sweepAxis >>= fun axes -> spanFrom kw.Span |>> fun s -> Sweep(axes, s)

/// expect_condition = "where" condition_test { "," condition_test } ;  condition_test = identifier "in" list
let private expectCondition: P<ExpectCondition list> =
    let test = identifier .>> keyword "in" .>>. list |>> fun (name, (values, s)) -> { Name = name; Values = values; Span = spanUnion name.Span s }
    keyword "where" >>. sepBy1 test (symbol ",")

/// expect_stmt = "expect" identifier [ "(" layer_ref ")" ] "at" ( "end" | expression ) compare_op expression
///               [ expect_condition ]
let private expectRest (kw: Ident) =
    let layer = symbol "(" >>. layerRef .>> symbol ")"
    let step = (keyword "end" |>> AtEnd) <|> (expression |>> AtStep)
    pipe5 identifier (opt layer) (keyword "at" >>. step) compareOp expression (fun m l st op v -> m, l, st, op, v)
    .>>. opt expectCondition
    >>= fun ((m, l, st, op, v), cond) -> spanFrom kw.Span |>> fun s -> Expect(m, l, st, op, v, defaultArg cond [], s)

/// reduce_stmt = "reduce" identifier [ arguments ]
let private reduceRest (kw: Ident) =
    identifier .>>. opt arguments >>= fun (layer, args) -> spanFrom kw.Span |>> fun s -> Reduce(layer, defaultArg args [], s)


/// embed_stmt = "embed" identifier [ arguments ]
let private embedRest (kw: Ident) =
    identifier .>>. opt arguments >>= fun (layer, args) -> spanFrom kw.Span |>> fun s -> Embed(layer, defaultArg args [], s)

/// summary_stmt = "summary" call_value
let private summaryRest (kw: Ident) =
    callValue "a summary such as phase_diagram(gamma, gamma_prime, width: m, layer: hidden)"
    >>= fun call -> spanFrom kw.Span |>> fun s -> Summary(call, s)

/// statement = experiment_stmt | let_stmt | data_stmt | model_stmt | train_stmt | observe_stmt | sweep_stmt | expect_stmt
///           | reduce_stmt | summary_stmt | embed_stmt
let private statement: P<Statement> =
    dispatch "statement" DiagnosticCodes.UnknownStatement topLevelKeywords (fun w ->
        match w.Text with
        | "experiment" -> Some(experimentRest w)
        | "let" -> Some(letRest w)
        | "data" -> Some(dataRest w)
        | "model" -> Some(modelRest w)
        | "train" -> Some(trainRest w)
        | "observe" -> Some(observeRest w)
        | "sweep" -> Some(sweepRest w)
        | "expect" -> Some(expectRest w)
        | "reduce" -> Some(reduceRest w)
        | "summary" -> Some(summaryRest w)
        | "embed" -> Some(embedRest w)
        | _ -> None)
    <?> "a statement (experiment, let, data, model, train, observe, sweep, expect, reduce, summary or embed)"

/// file = { statement statement_end } EOF
let private file: P<Document> =
    wsnl >>. many (statement .>> statementEnd "\u0000") .>> eof |>> fun s -> { Statements = s }

// ---------------------------------------------------------------------------------------------------------------
// FParsec errors → our diagnostics.

let rec private collect (messages: ErrorMessageList) (expected: ResizeArray<string>) (coded: ResizeArray<string>) (other: ResizeArray<string>) =
    for m in ErrorMessageList.ToSortedArray messages do
        match m with
        | :? ErrorMessage.Expected as e -> if not (String.IsNullOrEmpty e.Label) then expected.Add e.Label
        | :? ErrorMessage.ExpectedString as e -> expected.Add("\"" + e.String + "\"")
        | :? ErrorMessage.ExpectedCaseInsensitiveString as e -> expected.Add("\"" + e.CaseInsensitiveString + "\"")
        | :? ErrorMessage.Message as e ->
            if e.String.StartsWith marker then coded.Add e.String else other.Add e.String
        | :? ErrorMessage.NestedError as e -> collect e.Messages expected coded other
        | :? ErrorMessage.CompoundError as e -> collect e.NestedErrorMessages expected coded other
        | _ -> ()

let private describeFound (text: string) (index: int) : string * int =
    if index >= text.Length then "the end of the file", 1
    else
        let c = text[index]
        if c = '\n' || c = '\r' then "the end of the line", 1
        elif isIdentStart c || Char.IsDigit c then
            let mutable j = index
            while j < text.Length && (isIdentChar text[j] || text[j] = '.') do j <- j + 1
            $"\"{text.Substring(index, j - index)}\"", j - index
        else $"\"{c}\"", 1

let private joinOr (items: string list) =
    match items with
    | [] -> "something else"
    | [ one ] -> one
    | _ -> String.Join(", ", items |> List.take (items.Length - 1)) + " or " + List.last items

let private toDiagnostic (path: string) (text: string) (error: ParserError) : Diagnostic =
    let expected, coded, other = ResizeArray(), ResizeArray(), ResizeArray()
    collect error.Messages expected coded other
    let index = int error.Position.Index
    if coded.Count > 0 then
        let parts = coded[0].Split('\u0001')
        Diagnostic(parts[1], path, int parts[4], int parts[5], max 1 (int parts[3] - int parts[2]), parts[6])
    elif index < text.Length && (Char.IsControl text[index] && text[index] <> '\n' && text[index] <> '\r' && text[index] <> '\t'
                                 || int text[index] > 126) then
        let c = text[index]
        Diagnostic(DiagnosticCodes.InvalidCharacter, path, int error.Position.Line, int error.Position.Column, 1,
                   $"Invalid character U+{int c:X4}: a .cond file is plain text with names, numbers and \"{{}}()[],;:=+-*/^<>!#\". Remove the character.")
    else
        let found, length = describeFound text index
        let wanted = expected |> Seq.distinct |> List.ofSeq
        // Several binary operators in the list read as noise: name them once, after the other expectations.
        let operators = [ "\"^\""; "\"*\""; "\"/\""; "\"+\""; "\"-\"" ]
        let wanted =
            if (wanted |> List.filter (fun w -> List.contains w operators)).Length >= 2 then
                (wanted |> List.filter (fun w -> not (List.contains w operators))) @ [ "an operator (+ - * / ^)" ]
            else wanted
        let extra = if other.Count > 0 then " " + String.Join(" ", other) else ""
        Diagnostic(DiagnosticCodes.SyntaxError, path, int error.Position.Line, int error.Position.Column, length,
                   $"Expected {joinOr wanted} but found {found}.{extra}")

/// Parses a whole file. Returns the document, or the first syntax error as a diagnostic (never an exception).
let parse (path: string) (text: string) : Result<Document, Diagnostic> =
    match runParserOnString file () path text with
    | Success(doc, _, _) -> Result.Ok doc
    | Failure(_, error, _) -> Result.Error(toDiagnostic path text error)

/// Parses one expression (tests and the `--set` value syntax use it).
let parseExpression (text: string) : Result<Expr, Diagnostic> =
    match runParserOnString (ws >>. expression .>> eof) () "expression" text with
    | Success(e, _, _) -> Result.Ok e
    | Failure(_, error, _) -> Result.Error(toDiagnostic "expression" text error)
