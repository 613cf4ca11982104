using LlmDistill.Teacher;
using Parquet;

namespace LlmDistill.Traces;

/// <summary>Turns a batch of records into one Parquet row group, and one row group back into records.</summary>
static class TraceRowGroup
{
    public static async Task WriteAsync(ParquetWriter writer, TraceFields f, IReadOnlyList<TraceRecord> rows,
        QuantizationErrorMeter errors, CancellationToken cancellationToken)
    {
        var promptIds = new ListColumn<int>();
        var completionIds = new ListColumn<int>();
        var sampled = new ListColumn<ushort>();
        var topIds = new byte[rows.Count][];
        var topLogprobs = new byte[rows.Count][];
        var tail = new ListColumn<ushort>();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            promptIds.AddRow(r.PromptTokenIds);
            completionIds.AddRow(r.CompletionTokenIds);
            var sampledCodes = Encode(r.SampledLogprobs, TopKEncoding.EncodeLogprobs);
            var topCodes = new ushort[r.TopLogprobs.Length];
            TopKEncoding.EncodeTopLogprobs(r.TopLogprobs, r.TopK, topCodes);
            var tailCodes = Encode(r.TailMass, TopKEncoding.EncodeTailMasses);
            errors.AddLogprobs(r.SampledLogprobs, sampledCodes);
            errors.AddTopLogprobs(r.TopLogprobs, r.TopK, topCodes);
            errors.AddTailMasses(r.TailMass, tailCodes);
            sampled.AddRow(sampledCodes);
            topIds[i] = RowByteStreamSplit.Split(r.TopIds);
            topLogprobs[i] = RowByteStreamSplit.Split(topCodes);
            tail.AddRow(tailCodes);
        }

        using var rg = writer.CreateRowGroup();
        await rg.WriteAsync(f.Key, Strings(rows, r => r.Key));
        await rg.WriteAsync(f.Dataset, Strings(rows, r => r.Dataset));
        await rg.WriteAsync(f.Split, Strings(rows, r => r.Split));
        await rg.WriteAsync(f.ExampleId, Strings(rows, r => r.ExampleId));
        await rg.WriteAsync<int>(f.SampleIndex, rows.Select(r => r.SampleIndex).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync(f.Question, Strings(rows, r => r.Question));
        await rg.WriteAsync(f.GoldAnswer, Strings(rows, r => r.GoldAnswer));
        await rg.WriteAsync(f.PromptText, Strings(rows, r => r.PromptText));
        await promptIds.WriteAsync(rg, f.PromptTokenIds, cancellationToken);
        await rg.WriteAsync(f.CompletionText, Strings(rows, r => r.CompletionText));
        await completionIds.WriteAsync(rg, f.CompletionTokenIds, cancellationToken);
        await rg.WriteAsync(f.Rationale, Strings(rows, r => r.Rationale));
        await rg.WriteAsync(f.Answer, Strings(rows, r => r.Answer));
        await rg.WriteAsync(f.FinishReason, Strings(rows, r => r.FinishReason.ToName()));
        await rg.WriteAsync(f.Error, Strings(rows, r => r.Error));
        await rg.WriteAsync<bool>(f.Correct, rows.Select(r => r.Correct).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync(f.MajorityAnswer, Strings(rows, r => r.MajorityAnswer));
        await rg.WriteAsync<bool>(f.AgreesWithMajority, rows.Select(r => r.AgreesWithMajority).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync<bool>(f.Keep, rows.Select(r => r.Keep).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync<int>(f.TopK, rows.Select(r => r.TopK).ToArray(), cancellationToken: cancellationToken);
        await sampled.WriteAsync(rg, f.SampledLogprobQ, cancellationToken);
        await rg.WriteAsync(f.TopIdsBss, topIds);
        await rg.WriteAsync(f.TopLogprobGapBss, topLogprobs);
        await tail.WriteAsync(rg, f.TailMassQ, cancellationToken);
        rg.CompleteValidate();
    }

    public static async Task<List<TraceRecord>> ReadAsync(ParquetRowGroupReader rg, TraceFields f, CancellationToken cancellationToken)
    {
        int n = checked((int)rg.RowCount);
        async Task<string?[]> Strings(Parquet.Schema.DataField field)
        {
            var values = new string?[n];
            await rg.ReadAsync(field, values, cancellationToken: cancellationToken);
            return values;
        }
        async Task<byte[]?[]> Blobs(Parquet.Schema.DataField field)
        {
            var values = new byte[]?[n];
            await rg.ReadAsync(field, values, cancellationToken: cancellationToken);
            return values;
        }
        async Task<T[]> Values<T>(Parquet.Schema.DataField field) where T : struct
        {
            var values = new T[n];
            await rg.ReadAsync<T>(field, values, cancellationToken: cancellationToken);
            return values;
        }
        async Task<T?[]> Nullables<T>(Parquet.Schema.DataField field) where T : struct
        {
            var values = new T?[n];
            await rg.ReadAsync<T>(field, values, cancellationToken: cancellationToken);
            return values;
        }

        var key = await Strings(f.Key);
        var dataset = await Strings(f.Dataset);
        var split = await Strings(f.Split);
        var exampleId = await Strings(f.ExampleId);
        var sampleIndex = await Values<int>(f.SampleIndex);
        var question = await Strings(f.Question);
        var gold = await Strings(f.GoldAnswer);
        var prompt = await Strings(f.PromptText);
        var promptIds = await ListColumn<int>.ReadAsync(rg, f.PromptTokenIds, n, cancellationToken);
        var completion = await Strings(f.CompletionText);
        var completionIds = await ListColumn<int>.ReadAsync(rg, f.CompletionTokenIds, n, cancellationToken);
        var rationale = await Strings(f.Rationale);
        var answer = await Strings(f.Answer);
        var finish = await Strings(f.FinishReason);
        var error = await Strings(f.Error);
        var correct = await Nullables<bool>(f.Correct);
        var majority = await Strings(f.MajorityAnswer);
        var agrees = await Nullables<bool>(f.AgreesWithMajority);
        var keep = await Values<bool>(f.Keep);
        var topK = await Values<int>(f.TopK);
        var sampled = await ListColumn<ushort>.ReadAsync(rg, f.SampledLogprobQ, n, cancellationToken);
        var topIds = await Blobs(f.TopIdsBss);
        var topLogprobs = await Blobs(f.TopLogprobGapBss);
        var tail = await ListColumn<ushort>.ReadAsync(rg, f.TailMassQ, n, cancellationToken);

        var records = new List<TraceRecord>(n);
        for (int i = 0; i < n; i++)
        {
            var record = new TraceRecord
            {
                Dataset = dataset[i]!, Split = split[i]!, ExampleId = exampleId[i]!, SampleIndex = sampleIndex[i],
                Question = question[i]!, GoldAnswer = gold[i], PromptText = prompt[i]!, PromptTokenIds = promptIds[i],
                CompletionText = completion[i]!, CompletionTokenIds = completionIds[i], Rationale = rationale[i]!,
                Answer = answer[i], FinishReason = TraceFinishReasons.Parse(finish[i]!), Error = error[i],
                Correct = correct[i], MajorityAnswer = majority[i], AgreesWithMajority = agrees[i], Keep = keep[i],
                TopK = topK[i],
                SampledLogprobs = Decode(sampled[i], TopKEncoding.DecodeLogprobs),
                TopIds = RowByteStreamSplit.JoinInt32(topIds[i]),
                TopLogprobs = DecodeTop(RowByteStreamSplit.JoinUInt16(topLogprobs[i]), topK[i]),
                TailMass = Decode(tail[i], TopKEncoding.DecodeTailMasses),
            };
            record.Validate();
            if (record.Key != key[i]) throw new InvalidDataException($"row key '{key[i]}' does not match its identity columns ('{record.Key}')");
            records.Add(record);
        }
        return records;
    }

    delegate void SpanCodec<TFrom, TTo>(ReadOnlySpan<TFrom> from, Span<TTo> to);

    static ushort[] Encode(float[] values, SpanCodec<float, ushort> codec)
    {
        var codes = new ushort[values.Length];
        codec(values, codes);
        return codes;
    }

    static float[] Decode(ushort[] codes, SpanCodec<ushort, float> codec)
    {
        var values = new float[codes.Length];
        codec(codes, values);
        return values;
    }

    static float[] DecodeTop(ushort[] gaps, int k)
    {
        var values = new float[gaps.Length];
        TopKEncoding.DecodeTopLogprobs(gaps, k, values);
        return values;
    }

    static string?[] Strings(IReadOnlyList<TraceRecord> rows, Func<TraceRecord, string?> select)
    {
        var values = new string?[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = select(rows[i]);
        return values;
    }
}
