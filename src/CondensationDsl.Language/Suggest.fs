namespace CondensationDsl.Language

open System

/// "Did you mean …?" suggestions: the closest candidate by edit distance, when it is close enough to be a likely typo.
[<AbstractClass; Sealed>]
type Suggest =
    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.
    static member Distance(a: string, b: string) : int =
        let a = a.ToLowerInvariant()
        let b = b.ToLowerInvariant()
        let d = Array2D.zeroCreate (a.Length + 1) (b.Length + 1)
        for i in 0 .. a.Length do d[i, 0] <- i
        for j in 0 .. b.Length do d[0, j] <- j
        for i in 1 .. a.Length do
            for j in 1 .. b.Length do
                let cost = if a[i - 1] = b[j - 1] then 0 else 1
                let mutable v = min (min (d[i - 1, j] + 1) (d[i, j - 1] + 1)) (d[i - 1, j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] = b[j - 2] && a[i - 2] = b[j - 1] then
                    v <- min v (d[i - 2, j - 2] + 1)
                d[i, j] <- v
        d[a.Length, b.Length]

    /// The candidate closest to <paramref name="name"/>, or null when none is close (distance above a third of the
    /// longer name, at least 1, at most 3, and less than the shorter name's length, so "x" never suggests "m"). Ties go to the earliest candidate, so the answer is deterministic.
    static member Closest(name: string, candidates: seq<string>) : string | null =
        if isNull (box name) || isNull (box candidates) then null
        else
            let mutable best: string | null = null
            let mutable bestDistance = Int32.MaxValue
            for c in candidates do
                if not (isNull (box c)) && c <> name then
                    let dist = Suggest.Distance(name, c)
                    let limit = max 1 (min 3 (max name.Length c.Length / 3))
                    if dist <= limit && dist < min name.Length c.Length && dist < bestDistance then
                        best <- c
                        bestDistance <- dist
            best
