using System.Text.Json;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>
/// What Axolotl's knowledge-distillation plugin does with one dataset row, re-written in C# from reading
/// axolotl-ai-cloud/axolotl src/axolotl/integrations/kd/chat_template.py (ChatTemplateStrategyWithKD.transform_logprobs
/// and the v2 subclass): the row's tokenized sequence (input_ids, labels) and its logprobs field become
/// target_token_ids / target_logprobs / target_mask of shape [T, K]:
/// <list type="bullet">
/// <item>K = the smaller of the most and the least frequent non-zero per-token list length;</item>
/// <item>the logprobs rows are aligned to the END of input_ids: the first T − n rows are padding
/// (−∞ log-probabilities, ids 0..K−1, mask 0);</item>
/// <item>the mask of row p is 1 where labels[p] ≠ −100;</item>
/// <item>each row's log-probabilities are renormalised over its K entries (exp, divide by the sum when it exceeds 1e-9,
/// log), with the temperature exponent left out since generation and KD temperature are both 1 here;</item>
/// <item>ids: v2 (the default loader) takes the row of the separate target_token_ids field; the legacy loader parses
/// each entry's "token" as "token_id:&lt;id&gt;" and reads its "logprob".</item>
/// </list>
/// Here input_ids and labels are taken from the line itself, i.e. as if Axolotl's chat template tokenized the
/// messages into exactly the traces' ids.
/// </summary>
static class AxolotlKdReader
{
    public sealed record Targets(int[][] TokenIds, double[][] Logprobs, int[][] Mask, int PaddingRows);

    public static Targets Read(JsonElement line, bool legacy)
    {
        int[] inputIds = Ints(line.GetProperty("input_ids"));
        int[] labels = Ints(line.GetProperty("labels"));
        var logprobRows = line.GetProperty("logprobs").EnumerateArray().ToList();
        List<int[]> idRows;
        List<double[]> valueRows;
        if (legacy)
        {
            idRows = logprobRows.Select(row => row.EnumerateArray().Select(e => int.Parse(e.GetProperty("token").GetString()!.Split(':')[1])).ToArray()).ToList();
            valueRows = logprobRows.Select(row => row.EnumerateArray().Select(e => e.GetProperty("logprob").GetDouble()).ToArray()).ToList();
        }
        else
        {
            idRows = line.GetProperty("target_token_ids").EnumerateArray().Select(Ints).ToList();
            valueRows = logprobRows.Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
        }

        var lengths = valueRows.Select(r => r.Length).Where(n => n > 0).ToList();
        var frequency = lengths.GroupBy(n => n).Select(g => (Length: g.Key, Count: g.Count())).ToList();
        int mostFrequent = frequency.MaxBy(f => f.Count).Length, leastFrequent = frequency.MinBy(f => f.Count).Length;
        int k = Math.Min(mostFrequent, leastFrequent);
        if (k == 0) throw new InvalidOperationException("no non-zero top-k");

        int sequence = inputIds.Length, padding = sequence - valueRows.Count;
        if (padding < 0)
        {
            valueRows = valueRows[..^sequence];
            padding = 0;
        }
        var ids = new List<int[]>();
        var values = new List<double[]>();
        var mask = new List<int[]>();
        for (int p = 0; p < padding; p++)
        {
            values.Add(Enumerable.Repeat(double.NegativeInfinity, k).ToArray());
            ids.Add(Enumerable.Range(0, k).ToArray());
            mask.Add(new int[k]);
        }
        for (int p = padding; p < sequence; p++) mask.Add(Enumerable.Repeat(labels[p] == -100 ? 0 : 1, k).ToArray());
        for (int r = 0; r < valueRows.Count; r++)
        {
            var row = valueRows[r].Take(k).Select(Math.Exp).ToArray();
            double sum = row.Sum();
            if (sum > 1e-9) row = row.Select(x => x / sum).ToArray();
            double again = row.Sum();
            values.Add(row.Select(x => Math.Log(x / again)).ToArray());
            ids.Add(idRows[r].Take(k).ToArray());
        }
        return new Targets([.. ids], [.. values], [.. mask], padding);
    }

    static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();
}
