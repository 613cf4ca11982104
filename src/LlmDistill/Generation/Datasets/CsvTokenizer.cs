using System.Text;

namespace LlmDistill.Generation.Datasets;

/// <summary>One CSV record: its fields and the 1-based line where it starts, or why it could not be read.</summary>
internal readonly record struct CsvRecord(long Line, string[] Fields, string? Error);

/// <summary>
/// RFC 4180 records from a text stream, one at a time: comma separators, fields optionally in double quotes,
/// "" for a quote inside quotes, commas and line breaks kept inside quoted fields, CRLF, LF or CR line ends.
/// Lenient where RFC 4180 is strict only in that a quote inside an unquoted field is kept as a character.
/// Blank lines are skipped. After a malformed record the tokenizer resumes at the next line.
/// </summary>
internal sealed class CsvTokenizer(TextReader reader)
{
    const int EndOfFile = -1;
    readonly List<string> _fields = [];
    readonly StringBuilder _field = new();
    long _line = 1;

    public IEnumerable<CsvRecord> Records()
    {
        while (reader.Peek() != EndOfFile)
        {
            var record = ReadRecord();
            if (record.Error is null && record.Fields is [""]) continue;
            yield return record;
        }
    }

    CsvRecord ReadRecord()
    {
        long start = _line;
        _fields.Clear();
        while (true)
        {
            _field.Clear();
            string? error = null;
            int next = reader.Peek() == '"' ? ReadQuoted(start, out error) : ReadUnquoted();
            if (next == -2) return new CsvRecord(start, [], error);
            _fields.Add(_field.ToString());
            if (next == ',') continue;
            EndLine(next);
            return new CsvRecord(start, [.. _fields], null);
        }
    }

    // Returns the character that ended the field: ',', '\r', '\n' or end of file.
    int ReadUnquoted()
    {
        while (true)
        {
            int c = reader.Read();
            if (c is ',' or '\r' or '\n' or EndOfFile) return c;
            _field.Append((char)c);
        }
    }

    // Like ReadUnquoted, or -2 when the field is malformed (then the rest of the line has been skipped).
    int ReadQuoted(long start, out string? error)
    {
        error = null;
        reader.Read();
        while (true)
        {
            int c = reader.Read();
            if (c == EndOfFile)
            {
                error = $"quoted field opened on line {start} is never closed";
                return -2;
            }
            if (c == '"')
            {
                if (reader.Peek() != '"') break;
                reader.Read();
            }
            else CountLineBreak(c);
            _field.Append((char)c);
        }
        int after = reader.Read();
        if (after is ',' or '\r' or '\n' or EndOfFile) return after;
        error = $"unexpected '{(char)after}' after a closing quote (a quote inside a quoted field is written \"\")";
        SkipRestOfLine(after);
        return -2;
    }

    void CountLineBreak(int c)
    {
        if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) _line++;
    }

    void EndLine(int terminator)
    {
        if (terminator == '\r' && reader.Peek() == '\n') reader.Read();
        if (terminator != EndOfFile) _line++;
    }

    void SkipRestOfLine(int c)
    {
        while (c is not ('\r' or '\n' or EndOfFile)) c = reader.Read();
        EndLine(c);
    }
}
