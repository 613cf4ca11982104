namespace LlmDistill.Teacher;

/// <summary>
/// The prompt cache of <see cref="BatchedGenerator.Serve"/> (what llama-server's cache_prompt and vLLM's automatic prefix
/// caching do, built on this generator's sequences). Every sequence's KV cells are known token by token: those of a
/// request in flight up to its position, and those of a finished request, retained until its slot takes the next one
/// (so the cache never holds more than one sequence's worth of cells per slot). A request admitted to a slot takes the
/// longest prefix its prompt shares with any of them: its own slot's cells are trimmed, another sequence's are copied
/// (llama_memory_seq_cp), and only the rest of the prompt is decoded. Requests that arrive together find nothing decoded
/// yet, so one that shares a long prefix with a sequence still reading it waits until that sequence has decoded it,
/// then copies it: a few-shot prefix is decoded once per wave, not once per request.
/// </summary>
public sealed partial class BatchedGenerator
{
    /// <summary>
    /// Fewest shared tokens worth taking from another sequence, or waiting for: llama.cpp copies KV cells across sequence
    /// streams only whole (a memcpy of the source's whole stream, ~12 KB per cell for a 0.5B model), and a waiter decodes
    /// nothing meanwhile; a handful of tokens (a chat template's header) are cheaper decoded with the rest of the prompt.
    /// </summary>
    internal const int PromptCacheMinTokens = 32;

    /// <summary>Tokens held in the KV cells of each finished sequence, by sequence id (null = none); a slot's cells stay until it is reused.</summary>
    readonly int[]?[] _retained;
    bool _promptCache;

    /// <summary>
    /// Places a request just put in its slot: takes the longest decoded prefix it shares with any sequence, or waits for
    /// a sequence still reading a prefix at least <see cref="PromptCacheMinTokens"/> longer than that.
    /// </summary>
    void Admit(Slot slot, Slot?[] slots)
    {
        int[] prompt = slot.Request.PromptTokens;
        int limit = prompt.Length - 1; // the last prompt token is always decoded: its logits choose the first new token
        int source = -1, length = 0;
        for (int id = 0; id < slots.Length; id++)
        {
            int shared = slots[id] is { Placed: true } holder && holder != slot ? Shared(prompt, limit, holder.Position, holder.TokenAt)
                : _retained[id] is { } cells ? Shared(prompt, limit, cells.Length, p => cells[p]) : 0;
            // Own cells first: trimming them costs nothing, a copy from another stream costs a memcpy.
            if (shared > length || (shared == length && shared > 0 && id == slot.SequenceId)) (source, length) = (id, shared);
        }
        if (source != slot.SequenceId && length < PromptCacheMinTokens) (source, length) = (-1, 0);

        Slot? reading = null;
        int waitFor = 0;
        foreach (var other in slots)
        {
            // Only a sequence that is itself decoding its prompt: a waiter never waits on a waiter, so no cycle can form.
            if (other is not { Placed: true, IsDecoding: false } || other == slot) continue;
            int shared = Shared(prompt, limit, other.Request.PromptTokens.Length, p => other.Request.PromptTokens[p]);
            if (shared > other.PromptFed && shared > waitFor) (reading, waitFor) = (other, shared);
        }
        if (reading is not null && waitFor - length >= PromptCacheMinTokens)
        {
            slot.WaitingFor = reading;
            slot.WaitLength = waitFor;
            return;
        }
        Take(slot, source, length);
    }

    /// <summary>Gives <paramref name="slot"/>'s sequence the first <paramref name="length"/> cells of sequence <paramref name="source"/> (-1 = none).</summary>
    void Take(Slot slot, int source, int length)
    {
        int id = slot.SequenceId;
        if (source != id)
        {
            _context.RemoveSequence(id); // the retained cells of the slot's last request
            // Across streams llama.cpp copies only whole sequences (the buffer copy runs at the next decode, before it
            // writes anything); the cells past the shared prefix are dropped at once.
            if (length > 0) _context.CopySequence(source, id);
        }
        if (length == 0 || !_context.RemoveSequence(id, length))
        {
            _context.RemoveSequence(id);
            length = 0;
        }
        _retained[id] = null;
        slot.Placed = true;
        slot.PromptFed = slot.Position = length;
        _cachedPromptTokens += length;
    }

    /// <summary>Places the waiters whose source has decoded what they wait for, or is gone (finished, cancelled): those take
    /// what exists now (the source's retained cells, another sequence's) or decode their prompt themselves.</summary>
    void ResolveWaiters(Slot?[] slots)
    {
        if (!_promptCache) return;
        foreach (var slot in slots)
        {
            if (slot?.WaitingFor is not { } source) continue;
            if (slots[source.SequenceId] == source && source.PromptFed < slot.WaitLength) continue;
            slot.WaitingFor = null;
            Admit(slot, slots);
        }
    }

    /// <summary>Frees a finished or cancelled request's sequence; with the prompt cache its cells stay for later requests.</summary>
    void Release(Slot slot)
    {
        int id = slot.SequenceId;
        if (!_promptCache || (slot.Placed && slot.Position == 0))
        {
            _context.RemoveSequence(id);
            _retained[id] = null;
        }
        // A request that never placed its cells leaves the slot's earlier retained cells as they were.
        else if (slot.Placed) _retained[id] = Enumerable.Range(0, slot.Position).Select(slot.TokenAt).ToArray();
    }

    /// <summary>How many leading tokens of prompt[..limit] equal the cells' tokens (count of them, token at a position).</summary>
    static int Shared(int[] prompt, int limit, int count, Func<int, int> tokenAt)
    {
        int n = Math.Min(limit, count), i = 0;
        while (i < n && prompt[i] == tokenAt(i)) i++;
        return i;
    }
}
