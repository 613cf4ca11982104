namespace LlmDistill.Training.Data;

/// <summary>
/// Groups a stream of examples into batches with a bounded shuffle: it fills a buffer of
/// max(<see cref="TraceLoaderOptions.ShuffleBuffer"/>, B) examples, shuffles it, keeps back the remainder that does not
/// fill a whole batch (it joins the next buffer), optionally sorts the rest by length, cuts it into batches of B and
/// shuffles their order. Memory holds one buffer. The same stream and generator state give the same batches.
/// </summary>
internal sealed class TraceBatcher(TraceLoaderOptions options)
{
    readonly TraceLoaderOptions _options = options.Validate();

    public IEnumerable<IReadOnlyList<TraceExample>> Group(IEnumerable<TraceExample> examples, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(random);
        int capacity = Math.Max(_options.ShuffleBuffer, _options.BatchSize);
        var buffer = new List<TraceExample>(capacity);
        foreach (var example in examples)
        {
            buffer.Add(example);
            if (buffer.Count < capacity) continue;
            foreach (var batch in Cut(buffer, random, last: false)) yield return batch;
        }
        foreach (var batch in Cut(buffer, random, last: true)) yield return batch;
    }

    /// <summary>Batches from the buffer; leaves in it the remainder to carry over (nothing when <paramref name="last"/>).</summary>
    List<TraceExample[]> Cut(List<TraceExample> buffer, SeededRandom random, bool last)
    {
        int b = _options.BatchSize;
        random.Shuffle(buffer);
        int whole = buffer.Count / b * b;
        IEnumerable<TraceExample> taken = buffer.Take(whole);
        if (_options.SortByLength) taken = taken.OrderBy(e => e.Length);   // stable: ties keep the shuffled order
        var batches = taken.Chunk(b).ToList();
        random.Shuffle(batches);
        if (last && whole < buffer.Count && !_options.DropLastPartialBatch) batches.Add([.. buffer.Skip(whole)]);
        buffer.RemoveRange(0, last ? buffer.Count : whole);
        return batches;
    }
}
