namespace LlmDistill.IO;

/// <summary>
/// The wire type of every field of every structure in a Parquet footer and page header, as the format's parquet.thrift
/// declares them (enums are i32, strings binary, unions structures): what <see cref="ParquetFooterCheck"/> and
/// <see cref="ParquetPageCheck"/> need to walk them the way Parquet.Net reads them.
/// </summary>
internal static class ParquetThriftSchema
{
    // Thrift compact-protocol wire types.
    public const int Bool = 1, I8 = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Struct = 12;

    /// <summary>A field's wire type; for a structure, which one; for a list, its element.</summary>
    public sealed record Field(int Wire, Structure? Structure = null, Field? Element = null);

    /// <summary>A structure (or union) by name, with its fields by id.</summary>
    public sealed record Structure(string Name, Dictionary<short, Field> Fields);

    /// <summary>True when <paramref name="wire"/> is a valid encoding of <paramref name="expected"/> (a boolean is 1 or 2).</summary>
    public static bool Matches(int wire, int expected) => wire == expected || (expected == Bool && wire == 2);

    public static string Describe(int wire) => wire switch
    {
        Bool => "bool (1 or 2)", I8 => "i8 (3)", I16 => "i16 (4)", I32 => "i32 (5)", I64 => "i64 (6)", Double => "double (7)",
        Binary => "binary (8)", List => "list (9)", Struct => "struct (12)", _ => wire.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    static Field Of(int wire) => new(wire);
    static Field Of(Structure structure) => new(Struct, structure);
    static Field ListOf(Field element) => new(List, Element: element);
    static Structure Define(string name, params (short Id, Field Field)[] fields) => new(name, fields.ToDictionary(f => f.Id, f => f.Field));

    static readonly Structure Empty = Define("an empty annotation");
    static readonly Structure KeyValue = Define("KeyValue", (1, Of(Binary)), (2, Of(Binary)));
    static readonly Structure DecimalType = Define("DecimalType", (1, Of(I32)), (2, Of(I32)));
    static readonly Structure TimeUnit = Define("TimeUnit", (1, Of(Empty)), (2, Of(Empty)), (3, Of(Empty)));
    static readonly Structure TimeType = Define("TimeType", (1, Of(Bool)), (2, Of(TimeUnit)));
    static readonly Structure TimestampType = Define("TimestampType", (1, Of(Bool)), (2, Of(TimeUnit)));
    static readonly Structure IntType = Define("IntType", (1, Of(I8)), (2, Of(Bool)));
    static readonly Structure VariantType = Define("VariantType", (1, Of(I8)));
    static readonly Structure GeometryType = Define("GeometryType", (1, Of(Binary)));
    static readonly Structure GeographyType = Define("GeographyType", (1, Of(Binary)), (2, Of(I32)));
    static readonly Structure LogicalType = Define("LogicalType",
        (1, Of(Empty)), (2, Of(Empty)), (3, Of(Empty)), (4, Of(Empty)), (5, Of(DecimalType)), (6, Of(Empty)), (7, Of(TimeType)),
        (8, Of(TimestampType)), (10, Of(IntType)), (11, Of(Empty)), (12, Of(Empty)), (13, Of(Empty)), (14, Of(Empty)),
        (15, Of(Empty)), (16, Of(VariantType)), (17, Of(GeometryType)), (18, Of(GeographyType)));
    static readonly Structure SchemaElement = Define("SchemaElement",
        (1, Of(I32)), (2, Of(I32)), (3, Of(I32)), (4, Of(Binary)), (5, Of(I32)), (6, Of(I32)), (7, Of(I32)), (8, Of(I32)),
        (9, Of(I32)), (10, Of(LogicalType)));
    static readonly Structure Statistics = Define("Statistics",
        (1, Of(Binary)), (2, Of(Binary)), (3, Of(I64)), (4, Of(I64)), (5, Of(Binary)), (6, Of(Binary)), (7, Of(Bool)), (8, Of(Bool)));
    static readonly Structure PageEncodingStats = Define("PageEncodingStats", (1, Of(I32)), (2, Of(I32)), (3, Of(I32)));
    static readonly Structure SizeStatistics = Define("SizeStatistics", (1, Of(I64)), (2, ListOf(Of(I64))), (3, ListOf(Of(I64))));
    static readonly Structure BoundingBox = Define("BoundingBox",
        (1, Of(Double)), (2, Of(Double)), (3, Of(Double)), (4, Of(Double)), (5, Of(Double)), (6, Of(Double)), (7, Of(Double)), (8, Of(Double)));
    static readonly Structure GeospatialStatistics = Define("GeospatialStatistics", (1, Of(BoundingBox)), (2, ListOf(Of(I32))));
    static readonly Structure ColumnMetaData = Define("ColumnMetaData",
        (1, Of(I32)), (2, ListOf(Of(I32))), (3, ListOf(Of(Binary))), (4, Of(I32)), (5, Of(I64)), (6, Of(I64)), (7, Of(I64)),
        (8, ListOf(Of(KeyValue))), (9, Of(I64)), (10, Of(I64)), (11, Of(I64)), (12, Of(Statistics)), (13, ListOf(Of(PageEncodingStats))),
        (14, Of(I64)), (15, Of(I32)), (16, Of(SizeStatistics)), (17, Of(GeospatialStatistics)));
    static readonly Structure EncryptionWithColumnKey = Define("EncryptionWithColumnKey", (1, ListOf(Of(Binary))), (2, Of(Binary)));
    static readonly Structure ColumnCryptoMetaData = Define("ColumnCryptoMetaData", (1, Of(Empty)), (2, Of(EncryptionWithColumnKey)));
    static readonly Structure ColumnChunk = Define("ColumnChunk",
        (1, Of(Binary)), (2, Of(I64)), (3, Of(ColumnMetaData)), (4, Of(I64)), (5, Of(I32)), (6, Of(I64)), (7, Of(I32)),
        (8, Of(ColumnCryptoMetaData)), (9, Of(Binary)));
    static readonly Structure SortingColumn = Define("SortingColumn", (1, Of(I32)), (2, Of(Bool)), (3, Of(Bool)));
    static readonly Structure RowGroup = Define("RowGroup",
        (1, ListOf(Of(ColumnChunk))), (2, Of(I64)), (3, Of(I64)), (4, ListOf(Of(SortingColumn))), (5, Of(I64)), (6, Of(I64)), (7, Of(I16)));
    static readonly Structure ColumnOrder = Define("ColumnOrder", (1, Of(Empty)));
    static readonly Structure AesGcm = Define("AesGcmV1", (1, Of(Binary)), (2, Of(Binary)), (3, Of(Bool)));
    static readonly Structure EncryptionAlgorithm = Define("EncryptionAlgorithm", (1, Of(AesGcm)), (2, Of(AesGcm)));

    /// <summary>The footer's top-level structure.</summary>
    public static readonly Structure FileMetaData = Define("FileMetaData",
        (1, Of(I32)), (2, ListOf(Of(SchemaElement))), (3, Of(I64)), (4, ListOf(Of(RowGroup))), (5, ListOf(Of(KeyValue))),
        (6, Of(Binary)), (7, ListOf(Of(ColumnOrder))), (8, Of(EncryptionAlgorithm)), (9, Of(Binary)));

    static readonly Structure DataPageHeader = Define("DataPageHeader", (1, Of(I32)), (2, Of(I32)), (3, Of(I32)), (4, Of(I32)), (5, Of(Statistics)));
    static readonly Structure DictionaryPageHeader = Define("DictionaryPageHeader", (1, Of(I32)), (2, Of(I32)), (3, Of(Bool)));
    static readonly Structure DataPageHeaderV2 = Define("DataPageHeaderV2",
        (1, Of(I32)), (2, Of(I32)), (3, Of(I32)), (4, Of(I32)), (5, Of(I32)), (6, Of(I32)), (7, Of(Bool)), (8, Of(Statistics)));

    /// <summary>The header in front of every page of a column chunk.</summary>
    public static readonly Structure PageHeader = Define("PageHeader",
        (1, Of(I32)), (2, Of(I32)), (3, Of(I32)), (4, Of(I32)), (5, Of(DataPageHeader)), (6, Of(Empty)), (7, Of(DictionaryPageHeader)),
        (8, Of(DataPageHeaderV2)));
}
