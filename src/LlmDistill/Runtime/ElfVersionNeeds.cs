using System.Buffers.Binary;
using System.Text;

namespace LlmDistill.Runtime;

/// <summary>
/// Reads and edits the version requirements (.gnu.version_r) of a 64-bit little-endian ELF shared library.
/// Used to mark one symbol version a library asks for as weak, so the dynamic loader accepts a host
/// that lacks it (see <see cref="TorchRuntime"/> for why that is safe for TorchSharp's library).
/// </summary>
internal static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    /// <summary>VER_FLG_WEAK from elf.h: a missing version is a warning, not an error.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>One Elf64_Vernaux entry: the version name, its flags and the byte offset of the flags field.</summary>
    public readonly record struct Requirement(string Library, string Version, ushort Flags, long FlagsOffset);

    /// <summary>Lists every (library, version) requirement in the file, in file order.</summary>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (magic 0x7f 'ELF' missing at offset 0)");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported (EI_CLASS/EI_DATA at offset 4)");

        ulong sectionTable = U64(elf, 0x28);
        int sectionSize = U16(elf, 0x3A), sectionCount = U16(elf, 0x3C);
        var result = new List<Requirement>();
        for (int i = 0; i < sectionCount; i++)
        {
            int header = Checked(sectionTable + (ulong)(i * sectionSize), 64, elf.Length);
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;
            int data = Checked(U64(elf, header + 24), 16, elf.Length);
            int linkedStrings = (int)U32(elf, header + 40);
            int strings = Checked(U64(elf, Checked(sectionTable + (ulong)(linkedStrings * sectionSize), 64, elf.Length) + 24), 1, elf.Length);
            int needCount = (int)U32(elf, header + 44);

            // Elf64_Verneed {u16 version, u16 cnt, u32 file, u32 aux, u32 next}; Elf64_Vernaux {u32 hash, u16 flags, u16 other, u32 name, u32 next}
            int need = data;
            for (int n = 0; n < needCount; n++)
            {
                Checked((ulong)need, 16, elf.Length);
                string library = CString(elf, strings + (int)U32(elf, need + 4));
                int auxCount = U16(elf, need + 2);
                int aux = need + (int)U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    Checked((ulong)aux, 16, elf.Length);
                    result.Add(new Requirement(library, CString(elf, strings + (int)U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return result;
    }

    /// <summary>Sets VER_FLG_WEAK on the requirement for <paramref name="version"/>; returns false when the file does not ask for it.</summary>
    public static bool MarkWeak(Span<byte> elf, string version)
    {
        bool found = false;
        foreach (var requirement in Read(elf))
        {
            if (requirement.Version != version) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)requirement.FlagsOffset..], (ushort)(requirement.Flags | WeakFlag));
            found = true;
        }
        return found;
    }

    static int Checked(ulong offset, int length, int fileLength) =>
        offset + (ulong)length <= (ulong)fileLength ? (int)offset : throw new InvalidDataException($"ELF structure at offset {offset} runs past the end of the file ({fileLength} bytes)");

    static string CString(ReadOnlySpan<byte> elf, int offset)
    {
        Checked((ulong)offset, 1, elf.Length);
        int end = elf[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? elf[offset..] : elf.Slice(offset, end));
    }

    static ushort U16(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt16LittleEndian(b[o..]);
    static uint U32(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt32LittleEndian(b[o..]);
    static ulong U64(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt64LittleEndian(b[o..]);
}
